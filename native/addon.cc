#include "addon.h"

#include "arguments.h"
#include "socket_handle.h"

namespace winsock {

WinsockAddon::WinsockAddon(Napi::Env env, Napi::Object exports) : env_(env) {
  socket_constructor_ = Napi::Persistent(SocketHandle::DefineClass(env));
  socket_construction_key_ = Napi::Persistent(SocketHandle::ConstructionKey(env));
  readiness_context_ = std::make_unique<Napi::AsyncContext>(env, "winsock:readiness");

  Napi::Object constants = Napi::Object::New(env);
  platform::ForEachConstant([&](const char* name, std::int64_t value) {
    constants.Set(name, Napi::Number::New(env, static_cast<double>(value)));
  });
  constants.Freeze();

  DefineMethods(exports, {
                           InstanceValue("SOCKET", socket_constructor_.Value()),
                           InstanceValue("constants", constants),
                           InstanceValue("watchableEvents", Napi::Number::New(env, SocketPoll::Watchable())),
                           InstanceMethod("setErrorFactory", &WinsockAddon::SetErrorFactory),
                           InstanceMethod("startup", &WinsockAddon::Startup),
                           InstanceMethod("cleanup", &WinsockAddon::Cleanup),
                           InstanceMethod("getLastError", &WinsockAddon::GetLastError),
                           InstanceMethod("getaddrinfo", &WinsockAddon::GetAddressInfo),
                           InstanceMethod("socket", &WinsockAddon::Socket),
                           InstanceMethod("bind", &WinsockAddon::Bind),
                           InstanceMethod("listen", &WinsockAddon::Listen),
                           InstanceMethod("accept", &WinsockAddon::Accept),
                           InstanceMethod("connect", &WinsockAddon::Connect),
                           InstanceMethod("send", &WinsockAddon::Send),
                           InstanceMethod("recv", &WinsockAddon::Recv),
                           InstanceMethod("shutdown", &WinsockAddon::Shutdown),
                           InstanceMethod("closesocket", &WinsockAddon::CloseSocket),
                           InstanceMethod("getsockname", &WinsockAddon::GetSockName),
                           InstanceMethod("getpeername", &WinsockAddon::GetPeerName),
                           InstanceMethod("sendto", &WinsockAddon::SendTo),
                           InstanceMethod("recvfrom", &WinsockAddon::RecvFrom),
                           InstanceMethod("trySendTo", &WinsockAddon::TrySendTo),
                           InstanceMethod("tryRecvFrom", &WinsockAddon::TryRecvFrom),
                           InstanceMethod("setsockopt", &WinsockAddon::SetSockOpt),
                           InstanceMethod("getsockopt", &WinsockAddon::GetSockOpt),
                           InstanceMethod("setTimeoutOption", &WinsockAddon::SetTimeoutOption),
                           InstanceMethod("getTimeoutOption", &WinsockAddon::GetTimeoutOption),
                           InstanceMethod("setLinger", &WinsockAddon::SetLinger),
                           InstanceMethod("getLinger", &WinsockAddon::GetLinger),
                           InstanceMethod("setMembership", &WinsockAddon::SetMembership),
                           InstanceMethod("setMulticastInterface4", &WinsockAddon::SetMulticastInterface4),
                           InstanceMethod("ioctlsocket", &WinsockAddon::IoctlSocket),
                           InstanceMethod("setKeepAliveValues", &WinsockAddon::SetKeepAliveValues),
                           InstanceMethod("booleanIoctl", &WinsockAddon::BooleanIoctl),
                           InstanceMethod("select", &WinsockAddon::Select),
                           InstanceMethod("WSAPoll", &WinsockAddon::WSAPoll),
                           InstanceMethod("setTrafficClass", &WinsockAddon::SetTrafficClass),
                           InstanceMethod("getTrafficClass", &WinsockAddon::GetTrafficClass),
                           InstanceMethod("setUserTimeout", &WinsockAddon::SetUserTimeout),
                           InstanceMethod("getUserTimeout", &WinsockAddon::GetUserTimeout),
                           InstanceMethod("nativeHandle", &WinsockAddon::NativeHandle),
                           InstanceMethod("share", &WinsockAddon::Share),
                           InstanceMethod("fromShare", &WinsockAddon::FromShare),
                           InstanceMethod("sendSocket", &WinsockAddon::SendSocket),
                           InstanceMethod("receiveSocket", &WinsockAddon::ReceiveSocket),
                           InstanceMethod("enablePacketInfo", &WinsockAddon::EnablePacketInfo),
                           InstanceMethod("recvmsg", &WinsockAddon::RecvMsg),
                           InstanceMethod("tryRecvMsg", &WinsockAddon::TryRecvMsg),
                           InstanceMethod("sendmsg", &WinsockAddon::SendMsg),
                           InstanceMethod("trySendMsg", &WinsockAddon::TrySendMsg),
                           InstanceMethod("getnameinfo", &WinsockAddon::GetNameInfo),
                           InstanceMethod("getnameinfoAsync", &WinsockAddon::GetNameInfoAsync),
                           InstanceMethod("gethostname", &WinsockAddon::GetHostName),
                           InstanceMethod("inet_pton", &WinsockAddon::InetPton),
                           InstanceMethod("inet_ntop", &WinsockAddon::InetNtop),
                           InstanceMethod("setReadinessCallback", &WinsockAddon::SetReadinessCallback),
                           InstanceMethod("watch", &WinsockAddon::Watch),
                           InstanceMethod("unwatch", &WinsockAddon::Unwatch),
                           InstanceMethod("setKeepsLoopAlive", &WinsockAddon::SetKeepsLoopAlive),
                           InstanceMethod("socketId", &WinsockAddon::SocketId),
                           InstanceMethod("tryAccept", &WinsockAddon::TryAccept),
                           InstanceMethod("tryConnect", &WinsockAddon::TryConnect),
                           InstanceMethod("connectResult", &WinsockAddon::ConnectResult),
                           InstanceMethod("getaddrinfoAsync", &WinsockAddon::GetAddressInfoAsync),
                           InstanceMethod("setRuntime", &WinsockAddon::SetRuntime),
                           InstanceMethod("setReadinessBackend", &WinsockAddon::SetReadinessBackend),
                           InstanceMethod("readinessBackend", &WinsockAddon::GetReadinessBackend),
                       });
  DefineTryCalls(exports);
  // Last, when nothing else can throw: a worker terminated while it loads the addon makes N-API calls fail, the
  // constructor throws, and the half-made object is freed without its destructor. A hook registered before that
  // was left pointing at freed memory (ASan: heap-use-after-free in OnEnvironmentTeardown).
  // A synchronous cleanup hook could not wait for uv_close to finish; an async one can (NAPI_VERSION 8).
  NAPI_THROW_IF_FAILED_VOID(env, napi_add_async_cleanup_hook(env, OnEnvironmentTeardown, this, &teardown_hook_));
}

namespace {

// Every method above returns a Napi::Value: this is the block node-addon-api's InstanceMethod allocates for each.
using MethodData = Napi::MethodCallbackData<WinsockAddon, WinsockAddon::InstanceMethodCallback>;

void FreeMethodData(napi_env, void* data, void*) { delete static_cast<MethodData*>(data); }

}  // namespace

void WinsockAddon::DefineMethods(Napi::Object exports, const std::initializer_list<AddonProp>& props) {
  // node-addon-api's DefineAddon attaches each method's block to `exports` (a finalizer frees it) only after
  // napi_define_properties succeeds, and frees nothing when a call fails. In a worker terminated while it loads
  // the addon, N-API calls fail part-way: every block was lost (LSan: 62 blocks of 24 bytes, now and then, from
  // test/reliability/teardown-main.ts). The same two steps here, freeing whatever was never attached.
  const auto* descriptors = reinterpret_cast<const napi_property_descriptor*>(props.begin());
  napi_status status = napi_define_properties(env_, exports, props.size(), descriptors);
  std::size_t attached = 0;
  for (; status == napi_ok && attached < props.size(); ++attached) {
    if (descriptors[attached].data == nullptr) continue;  // an InstanceValue
    status = napi_add_finalizer(env_, exports, descriptors[attached].data, FreeMethodData, nullptr, nullptr);
    if (status != napi_ok) break;
  }
  if (status != napi_ok) {
    for (std::size_t i = attached; i < props.size(); ++i) FreeMethodData(env_, descriptors[i].data, nullptr);
    NAPI_THROW_IF_FAILED_VOID(env_, status);
  }
  DefineAddon(exports, {});  // makes `exports` the module's entry point, defining nothing more
}

WinsockAddon::~WinsockAddon() {
  // The teardown hook has closed every socket already; this balances our own WSAStartup calls. libuv's reference
  // to Winsock in node.exe is not ours and stays.
  *alive_ = false;
  CloseAllSockets();
  StopThreadPoller();
  if (teardown_hook_ != nullptr) napi_remove_async_cleanup_hook(teardown_hook_);
  for (; startup_count_ > 0; --startup_count_) platform::Cleanup();
  // Deno's napi_async_destroy makes a V8 handle where its instance-data finalizer has no scope for one ("Cannot
  // create a handle without a HandleScope", a fatal error at every exit, with a handle scope opened here too): the
  // context is left to the dying environment there.
  if (host_is_deno_) static_cast<void>(readiness_context_.release());
}

void WinsockAddon::OnEnvironmentTeardown(napi_async_cleanup_hook_handle, void* data) {
  // The environment (process exit, or a worker_thread ending) is going away: close what JavaScript left open. Poll
  // handles close asynchronously, and a worker's loop must have no handle left when it is closed, so the hook is
  // removed only when the last uv_close callback has run.
  auto* addon = static_cast<WinsockAddon*>(data);
  addon->tearing_down_ = true;
  if (addon->host_is_deno_) addon->teardown_hook_ = nullptr;  // Deno frees it when this returns (see SetRuntime)
  // A reference the addon made is its own to delete, at teardown too: the environment does not (LSan: the armed
  // reads' buffer references of sockets still open when a worker ended). It still runs here, so deleting is safe.
  for (SocketHandle* socket : addon->open_sockets_.Snapshot()) socket->ReleaseRecvBuffer();
  addon->CloseAllSockets();
  addon->StopThreadPoller();
  addon->FinishTeardownWhenClosed();
}

void WinsockAddon::PollClosed() {
  --open_polls_;
  FinishTeardownWhenClosed();
}

void WinsockAddon::WorkFinished() {
  --pending_work_;
  FinishTeardownWhenClosed();
}

void WinsockAddon::FinishTeardownWhenClosed() {
  if (!tearing_down_ || open_polls_ > 0 || pending_work_ > 0 || teardown_hook_ == nullptr) return;
  napi_remove_async_cleanup_hook(teardown_hook_);
  teardown_hook_ = nullptr;
}

void WinsockAddon::DeliverReadiness(SocketHandle& socket, int events) {
  if (tearing_down_ || readiness_callback_.IsEmpty()) return;
  Napi::HandleScope scope(env_);
  Napi::Object object = socket.Value();
  if (object.IsEmpty()) return;  // being collected: nothing can be waiting on it
  // One-shot: JavaScript's retries watch again if they must wait on. `object` keeps the SOCKET alive meanwhile,
  // though this may drop its strong reference.
  socket.Unwatch(events);
  try {
    const napi_value read = (events & kReadinessReadable) != 0 && socket.HasArmedRecv() ? ReadForArmedRecv(socket)
                                                                                        : env_.Undefined();
    // The callback is its own receiver (it ignores `this`): no lookup of the global object per event.
    Napi::Function callback = readiness_callback_.Value();
    const Napi::Value no_error(env_, Count(0));
    const Napi::Value ready(env_, Count(static_cast<std::size_t>(events)));
    callback.MakeCallback(callback, {object, no_error, ready, read}, *readiness_context_);
  } catch (const Napi::Error& thrown) {
    // Nothing in JavaScript catches an exception thrown from an event-loop callback: report it as Node does.
    napi_fatal_exception(env_, thrown.Value());
  }
}

void WinsockAddon::CloseAllSockets() {
  // CloseForTeardown leaves the registry alone (the addon is going away): empty it here.
  const std::vector<SocketHandle*> sockets = open_sockets_.Snapshot();
  open_sockets_ = SocketRegistry();
  for (SocketHandle* socket : sockets) socket->CloseForTeardown();
}

void WinsockAddon::CloseAllSocketsAndNotify() {
  // Each close leaves the registry, and the JavaScript it calls may close (or open) others: each socket of the
  // snapshot is looked up again before it is closed, and sockets opened meanwhile are in the next snapshot.
  while (!open_sockets_.Empty()) {
    for (SocketHandle* socket : open_sockets_.Snapshot()) {
      if (open_sockets_.Find(socket->Id()) == socket) CloseAndNotify(*socket);
    }
  }
}

int WinsockAddon::CloseAndNotify(SocketHandle& socket) {
  if (!socket.IsOpen()) return platform::wsa::kNotSocket;
  // A socket with waiters is strongly referenced until Close() drops that reference: take the object first.
  const bool had_waiters = socket.HasWaiters();
  Napi::Object object = socket.Value();
  const int error = socket.Close();
  // Calls still waiting on the socket fail with WSAEINTR, as Winsock's blocking calls do when closesocket cancels
  // them: src/readiness.ts rejects them.
  if (had_waiters && !readiness_callback_.IsEmpty() && !object.IsEmpty()) {
    readiness_callback_.Call({object, Napi::Number::New(env_, platform::wsa::kInterrupted),
                              Napi::Number::New(env_, SocketPoll::Watchable())});
  }
  return error;
}

void WinsockAddon::ThrowWinsockError(int error, const char* syscall, const platform::Endpoint* endpoint) {
  throw Napi::Error(env_, MakeWinsockError(error, syscall, endpoint));
}

Napi::Value WinsockAddon::MakeWinsockError(int error, const char* syscall, const platform::Endpoint* endpoint) {
  last_error_ = error;
  Napi::Env env = env_;
  if (error_factory_.IsEmpty()) {
    // Only reachable if src/native.ts did not install the factory: still an error, never a crash.
    return Napi::Error::New(env, std::string(syscall) + " failed with Winsock error " + std::to_string(error)).Value();
  }
  Napi::Value address = endpoint ? Napi::String::New(env, endpoint->address) : env.Undefined();
  Napi::Value port = endpoint && endpoint->port >= 0 ? Napi::Number::New(env, endpoint->port) : env.Undefined();
  return error_factory_.Call({Napi::Number::New(env, error), Napi::String::New(env, syscall), address, port});
}

void WinsockAddon::RequireStarted(const char* syscall) {
  if (startup_count_ == 0) ThrowWinsockError(platform::wsa::kNotInitialised, syscall);
}

SocketHandle& WinsockAddon::RequireOpenSocket(const Napi::CallbackInfo& info, std::size_t index,
                                              const char* syscall) {
  SocketHandle* socket = SocketHandle::FromValue(*this, info[index]);
  if (socket == nullptr) arguments::ThrowTypeError(env_, "The \"s\" argument must be a SOCKET (from socket() or accept())");
  RequireStarted(syscall);
  if (!socket->IsOpen()) ThrowWinsockError(platform::wsa::kNotSocket, syscall);
  return *socket;
}

SocketHandle* WinsockAddon::FindSocketId(const Napi::CallbackInfo& info, std::size_t index) {
  return FindSocketId(info[index]);
}

void WinsockAddon::ThrowNotSocketId() {
  arguments::ThrowTypeError(env_, "The \"s\" argument must be a socket id (from socketId())");
}

SocketHandle& WinsockAddon::RequireOpenSocketId(const Napi::CallbackInfo& info, std::size_t index,
                                                const char* syscall) {
  return RequireOpenSocketId(info[index], syscall);
}

void WinsockAddon::RequireStillOpen(const SocketHandle& socket, const char* syscall) {
  if (!socket.IsOpen() || startup_count_ == 0) ThrowNotOpen(syscall);
}

void WinsockAddon::ThrowNotOpen(const char* syscall) {
  RequireStarted(syscall);
  ThrowWinsockError(platform::wsa::kNotSocket, syscall);
}

Napi::Object WinsockAddon::EndpointObject(const platform::Endpoint& endpoint) {
  Napi::Object object = Napi::Object::New(env_);
  object.Set("family", endpoint.family);
  object.Set("address", endpoint.address);
  object.Set("port", endpoint.port < 0 ? 0 : endpoint.port);  // an AF_UNIX address has no port
  return object;
}

}  // namespace winsock

using winsock::WinsockAddon;
NODE_API_ADDON(WinsockAddon)
