// The addon's per-environment state. One instance per Node environment (the main thread, each worker_thread), never
// globals, so the addon is safe to load in workers; its destructor is the environment's teardown.
#pragma once

#include <napi.h>

#include <uv.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "platform/platform.h"
#include "readiness_backend.h"
#include "socket_registry.h"

namespace winsock {

class SocketHandle;
class ThreadPoller;

class WinsockAddon : public Napi::Addon<WinsockAddon> {
 public:
  WinsockAddon(Napi::Env env, Napi::Object exports);
  ~WinsockAddon();
  WinsockAddon(const WinsockAddon&) = delete;
  WinsockAddon& operator=(const WinsockAddon&) = delete;

  Napi::Env Env() const { return env_; }
  Napi::Function SocketConstructor() const { return socket_constructor_.Value(); }
  // The argument only native code can pass to the SOCKET constructor (see socket_handle.cc): a symbol, one per
  // environment. It was an External made per socket, and N-API allocates for every External a block that is freed
  // only when V8 collects it: those not collected by exit were valgrind's "definitely lost" blocks.
  Napi::Value SocketConstructionKey() const { return socket_construction_key_.Value(); }

  // The registry of open sockets, closed at teardown and at the final cleanup(). Each socket gets an id, never
  // reused, by which the promises API's try* calls name it (socketId()): finding an id here costs a fraction of
  // checking and unwrapping a SOCKET object, two private-symbol loads that were a tenth of a round trip's
  // instructions (bench/, callgrind).
  std::uint64_t Track(SocketHandle* socket) { return open_sockets_.Add(socket); }
  void Forget(std::uint64_t id) { open_sockets_.Remove(id); }

  // The libuv loop, for the uv_poll backend only: never asked for where the runtime has none (see
  // readiness_backend.h).
  uv_loop_t* Loop() const { return loop_; }
  // A watcher for `owner`'s socket from this environment's readiness backend (readiness_calls.cc), fixing the
  // backend for good; nullptr with `*error` set to a Winsock error number when the socket cannot be watched.
  SocketWatcher* CreateWatcher(SocketHandle& owner, int* error);
  // Poll handles alive or closing: teardown waits until every one has run its uv_close callback.
  void PollOpened() { ++open_polls_; }
  void PollClosed();
  // Threadpool work (ThreadpoolWork) in flight: teardown waits for it too, since it calls back into the addon.
  void WorkStarted() { ++pending_work_; }
  void WorkFinished();
  bool TearingDown() const { return tearing_down_; }
  // False once this object is destroyed. Bun runs no async cleanup hook, so nothing holds a worker's environment
  // until its threadpool work is done: it destroys the addon first and completes the work after (a segfault in
  // WorkFinished, test/conformance/process-lifetime.test.ts). Work checks this before it calls back.
  std::shared_ptr<const bool> Alive() const { return alive_; }
  // Tells JavaScript (src/readiness.ts) that `socket` is ready for `events`, which stop being watched first: the
  // calls waiting for them try again, and one that finds WSAEWOULDBLOCK again watches anew (see async_calls.cc).
  // Called from a uv_poll callback: runs through MakeCallback, so promise jobs run after it. An armed recvInto is
  // read for first, and its outcome passed along (ReadForArmedRecv).
  void DeliverReadiness(SocketHandle& socket, int events);

  // A count for JavaScript (bytes, events): made as an integer, which V8 keeps as a small integer without checking
  // a double for one as napi_create_double does.
  napi_value Count(std::size_t count) const {
    napi_value value = nullptr;
    // napi_create_int32 over napi_create_uint32: V8's Integer::NewFromUnsigned checks the range and then makes
    // the same small integer through Integer::New.
    if (count <= static_cast<std::size_t>(INT32_MAX)) napi_create_int32(env_, static_cast<std::int32_t>(count), &value);
    else napi_create_double(env_, static_cast<double>(count), &value);
    return value;
  }

  // Throws a WinsockError made by the JavaScript factory (see src/errors.ts), and remembers `error` for
  // getLastError(). `endpoint` adds the address and port the call was about, when there is one.
  [[noreturn]] void ThrowWinsockError(int error, const char* syscall,
                                      const platform::Endpoint* endpoint = nullptr);
  // The same error as a value, for rejecting a promise.
  Napi::Value MakeWinsockError(int error, const char* syscall, const platform::Endpoint* endpoint = nullptr);
  Napi::Array AddrInfoArray(const std::vector<platform::AddressInfo>& entries);

 private:
  // The 1:1 Winsock calls (winsock_calls.cc). Each: check arguments, make the one OS call, capture, throw or return.
  Napi::Value SetErrorFactory(const Napi::CallbackInfo& info);
  Napi::Value Startup(const Napi::CallbackInfo& info);
  Napi::Value Cleanup(const Napi::CallbackInfo& info);
  Napi::Value GetLastError(const Napi::CallbackInfo& info);
  Napi::Value GetAddressInfo(const Napi::CallbackInfo& info);
  Napi::Value Socket(const Napi::CallbackInfo& info);
  Napi::Value Bind(const Napi::CallbackInfo& info);
  Napi::Value Listen(const Napi::CallbackInfo& info);
  Napi::Value Accept(const Napi::CallbackInfo& info);
  Napi::Value Connect(const Napi::CallbackInfo& info);
  Napi::Value Send(const Napi::CallbackInfo& info);
  Napi::Value Recv(const Napi::CallbackInfo& info);
  Napi::Value Shutdown(const Napi::CallbackInfo& info);
  Napi::Value CloseSocket(const Napi::CallbackInfo& info);
  Napi::Value GetSockName(const Napi::CallbackInfo& info);
  Napi::Value GetPeerName(const Napi::CallbackInfo& info);

  // Datagrams (datagram_calls.cc).
  Napi::Value SendTo(const Napi::CallbackInfo& info);
  Napi::Value RecvFrom(const Napi::CallbackInfo& info);
  Napi::Value TrySendTo(const Napi::CallbackInfo& info);
  Napi::Value TryRecvFrom(const Napi::CallbackInfo& info);

  // Options and ioctls (option_calls.cc).
  Napi::Value SetSockOpt(const Napi::CallbackInfo& info);
  Napi::Value GetSockOpt(const Napi::CallbackInfo& info);
  Napi::Value SetTimeoutOption(const Napi::CallbackInfo& info);
  Napi::Value GetTimeoutOption(const Napi::CallbackInfo& info);
  Napi::Value SetLinger(const Napi::CallbackInfo& info);
  Napi::Value GetLinger(const Napi::CallbackInfo& info);
  Napi::Value SetMembership(const Napi::CallbackInfo& info);
  Napi::Value SetMulticastInterface4(const Napi::CallbackInfo& info);
  Napi::Value IoctlSocket(const Napi::CallbackInfo& info);
  Napi::Value SetKeepAliveValues(const Napi::CallbackInfo& info);
  Napi::Value BooleanIoctl(const Napi::CallbackInfo& info);

  // Readiness of many sockets at once, blocking like Winsock's (poll_calls.cc).
  Napi::Value Select(const Napi::CallbackInfo& info);
  Napi::Value WSAPoll(const Napi::CallbackInfo& info);

  // What node:net never offered (extension_calls.cc): traffic class, dead-peer timeout, the native handle and
  // moving a socket to another process, packet info.
  Napi::Value SetTrafficClass(const Napi::CallbackInfo& info);
  Napi::Value GetTrafficClass(const Napi::CallbackInfo& info);
  Napi::Value SetUserTimeout(const Napi::CallbackInfo& info);
  Napi::Value GetUserTimeout(const Napi::CallbackInfo& info);
  Napi::Value NativeHandle(const Napi::CallbackInfo& info);
  Napi::Value Share(const Napi::CallbackInfo& info);
  Napi::Value FromShare(const Napi::CallbackInfo& info);
  Napi::Value SendSocket(const Napi::CallbackInfo& info);
  Napi::Value ReceiveSocket(const Napi::CallbackInfo& info);
  // A SOCKET object for a descriptor that arrived from another process: reads its family, type and connection.
  Napi::Object AdoptSocket(platform::NativeSocket socket, const char* syscall);
  Napi::Value EnablePacketInfo(const Napi::CallbackInfo& info);
  Napi::Value RecvMsg(const Napi::CallbackInfo& info);
  Napi::Value TryRecvMsg(const Napi::CallbackInfo& info);
  Napi::Value SendMsg(const Napi::CallbackInfo& info);
  Napi::Value TrySendMsg(const Napi::CallbackInfo& info);
  Napi::Value RecvMsgOnce(const Napi::CallbackInfo& info, bool nonblocking);
  Napi::Value SendMsgOnce(const Napi::CallbackInfo& info, bool nonblocking);

  // Names and numeric addresses (name_calls.cc).
  Napi::Value GetNameInfo(const Napi::CallbackInfo& info);
  Napi::Value GetNameInfoAsync(const Napi::CallbackInfo& info);
  Napi::Value GetHostName(const Napi::CallbackInfo& info);
  Napi::Value InetPton(const Napi::CallbackInfo& info);
  Napi::Value InetNtop(const Napi::CallbackInfo& info);

  // The nonblocking primitives of the promises API (async_calls.cc). Each try* makes one attempt and returns null
  // where Winsock says WSAEWOULDBLOCK, having started to watch the socket for the readiness JavaScript now waits
  // for; watch() and unwatch() are for waits that make no try first (select, WSAPoll) or give up (abort, timeout).
  Napi::Value SetReadinessCallback(const Napi::CallbackInfo& info);
  // The runtime and the readiness backend, from src/runtime.ts (readiness_calls.cc).
  Napi::Value SetRuntime(const Napi::CallbackInfo& info);
  Napi::Value SetReadinessBackend(const Napi::CallbackInfo& info);
  Napi::Value GetReadinessBackend(const Napi::CallbackInfo& info);
  // Stops the thread poller, if one was started (teardown, destructor).
  void StopThreadPoller();
  Napi::Value Watch(const Napi::CallbackInfo& info);
  Napi::Value Unwatch(const Napi::CallbackInfo& info);
  Napi::Value SetKeepsLoopAlive(const Napi::CallbackInfo& info);
  Napi::Value SocketId(const Napi::CallbackInfo& info);
  Napi::Value TryAccept(const Napi::CallbackInfo& info);
  Napi::Value TryConnect(const Napi::CallbackInfo& info);
  Napi::Value ConnectResult(const Napi::CallbackInfo& info);
  // trySend(id, buf, flags) and tryRecv(id, buf | len, flags, arm), the calls of every round trip: plain Node-API
  // functions with positional arguments, without node-addon-api's per-call CallbackInfo and instance lookup
  // (async_calls.cc). Same checks, same errors. `arm`: see SocketHandle::ArmRecv.
  void DefineTryCalls(Napi::Object exports);
  Napi::Value TrySend(const napi_value* args);
  Napi::Value TryRecv(const napi_value* args);
  // The read of an armed recvInto at a readiness event: the byte count, -errno for a failure, null when there is
  // still nothing (the socket is watched again for it), undefined when JavaScript must retry itself (async_calls.cc).
  napi_value ReadForArmedRecv(SocketHandle& socket);
  Napi::Value GetAddressInfoAsync(const Napi::CallbackInfo& info);
  // A try* that found WSAEWOULDBLOCK: watches `socket` for `events` (throwing if it cannot), so the call can wait.
  void WatchForRetry(SocketHandle& socket, int events, const char* syscall);

  // Winsock fails every call with WSANOTINITIALISED until WSAStartup succeeds; this keeps that rule on every OS.
  void RequireStarted(const char* syscall);
  // The open SOCKET in argument `index`; throws TypeError for a non-SOCKET, WSAENOTSOCK for a closed one.
  SocketHandle& RequireOpenSocket(const Napi::CallbackInfo& info, std::size_t index, const char* syscall);
  // The same for a socket id (from socketId()), as the promises API's try* calls pass it. Inline, as every
  // trySend and tryRecv starts with it.
  SocketHandle& RequireOpenSocketId(const Napi::CallbackInfo& info, std::size_t index, const char* syscall);
  SocketHandle& RequireOpenSocketId(napi_value id, const char* syscall) {
    SocketHandle* socket = FindSocketId(id);
    if (socket == nullptr || startup_count_ == 0) ThrowNotOpen(syscall);
    return *socket;
  }
  // WSANOTINITIALISED before cleanup() or after the last one, else WSAENOTSOCK: a socket id that names no socket.
  [[noreturn]] void ThrowNotOpen(const char* syscall);
  // The same check again after reading a buffer argument through arguments::ByteView, which may run JavaScript (a
  // view of no bytes is checked for bounds through Reflect, which any caller can replace), and that JavaScript may
  // have closed the socket or called the last cleanup(): a try* then started a watcher for a closed socket (a null
  // addon: a segfault) and a send or receive went to its descriptor number, which a new socket may have taken.
  void RequireStillOpen(const SocketHandle& socket, const char* syscall);
  // The open socket with the id in argument `index`, or nullptr; a TypeError for anything but a number. An id is a
  // positive integer: any other number (1.5, NaN, -1) names no socket.
  SocketHandle* FindSocketId(const Napi::CallbackInfo& info, std::size_t index);
  SocketHandle* FindSocketId(napi_value id) {
    double number = 0;
    if (napi_get_value_double(env_, id, &number) != napi_ok) ThrowNotSocketId();
    // Below 2^53 every integer is exact, and no registry issues ids anywhere near it; NaN fails the comparison.
    if (!(number >= 1 && number < 0x1p53)) return nullptr;
    const auto key = static_cast<std::uint64_t>(number);
    return static_cast<double>(key) == number ? open_sockets_.Find(key) : nullptr;
  }
  [[noreturn]] void ThrowNotSocketId();
  // How a call names its socket in argument 0: the 1:1 calls take the SOCKET, the promises API's try* its id.
  enum class SocketArgument { kObject, kId };
  SocketHandle& RequireSocketArgument(const Napi::CallbackInfo& info, SocketArgument kind, const char* syscall) {
    return kind == SocketArgument::kId ? RequireOpenSocketId(info, 0, syscall) : RequireOpenSocket(info, 0, syscall);
  }
  // A socket address from (address, port) arguments at `index`; a Winsock error for text that is not numeric.
  platform::SocketAddress RequireAddress(const Napi::CallbackInfo& info, std::size_t index, int family,
                                         const char* syscall);
  // The address to bind or connect `socket` to: a path for an AF_UNIX socket (its port argument is not read),
  // else (address, port) as RequireAddress reads them.
  platform::SocketAddress RequireSocketAddress(const SocketHandle& socket, const Napi::CallbackInfo& info,
                                               std::size_t index, const char* syscall);
  Napi::Object EndpointObject(const platform::Endpoint& endpoint);
  // Teardown: closes every socket without calling JavaScript (it can no longer run).
  void CloseAllSockets();
  // The last cleanup(): closes every socket and fails the calls waiting on them with WSAEINTR, as closesocket does.
  void CloseAllSocketsAndNotify();
  // closesocket: close, then reject the calls that were waiting (src/readiness.ts). Returns the OS error.
  int CloseAndNotify(SocketHandle& socket);
  // What send/trySend and recv/tryRecv read from their arguments, with Winsock's checks of the socket's state.
  struct SendRequest {
    SocketHandle* socket;
    void* data;
    std::size_t length;
    int flags;
  };
  struct RecvRequest {
    SocketHandle* socket;
    void* data;
    std::size_t length;
    int flags;
    std::unique_ptr<std::uint8_t[]> owned;  // set when JavaScript asked for a length, not into a buffer
  };
  struct AddrInfoQuery {
    std::optional<std::string> node;
    std::optional<std::string> service;
    platform::AddressInfoHints hints;
  };
  SendRequest ReadSendRequest(const Napi::CallbackInfo& info, SocketArgument kind, const char* syscall);
  SendRequest ReadSendRequest(SocketHandle& socket, Napi::Value buf, Napi::Value flags, const char* syscall);
  RecvRequest ReadRecvRequest(const Napi::CallbackInfo& info, SocketArgument kind, const char* syscall);
  RecvRequest ReadRecvRequest(SocketHandle& socket, Napi::Value buf, Napi::Value flags, const char* syscall);
  // What a receive returns: the count read into the caller's buffer, or a new Buffer of what was read into the
  // addon's own. The platform layer bounds what the OS reports; this bound is the addon's own, on the memory it
  // hands back.
  Napi::Value RecvResult(const RecvRequest& request, std::size_t received) {
    if (request.owned != nullptr) return OwnedRecvResult(request, received);
    return Napi::Value(env_, Count(platform::Bounded(received, request.length)));
  }
  Napi::Value OwnedRecvResult(const RecvRequest& request, std::size_t received);
  AddrInfoQuery ReadAddrInfoQuery(const Napi::CallbackInfo& info);
  Napi::Value SendToOnce(const Napi::CallbackInfo& info, bool nonblocking);
  Napi::Value RecvFromOnce(const Napi::CallbackInfo& info, bool nonblocking);
  Napi::Value DatagramResult(Napi::Value data, const platform::SocketAddress& from);
  Napi::Value AcceptedSocket(platform::NativeSocket accepted, const platform::SocketAddress& peer, int family,
                             int type);
  // DefineAddon, but freeing the methods' callback data that N-API calls failing part-way leave unattached.
  void DefineMethods(Napi::Object exports, const std::initializer_list<AddonProp>& props);
  // Environment teardown (napi_add_async_cleanup_hook): close every socket, then wait for the uv_close callbacks.
  static void OnEnvironmentTeardown(napi_async_cleanup_hook_handle handle, void* data);
  void FinishTeardownWhenClosed();

  Napi::Env env_;
  Napi::FunctionReference socket_constructor_;
  Napi::Reference<Napi::Symbol> socket_construction_key_;
  Napi::FunctionReference error_factory_;
  SocketRegistry open_sockets_;
  Napi::FunctionReference readiness_callback_;
  std::unique_ptr<Napi::AsyncContext> readiness_context_;
  uv_loop_t* loop_ = nullptr;
  // The thread poller until src/runtime.ts asks for uv_poll: it calls no uv_* function, so it is safe everywhere.
  ReadinessBackend readiness_backend_ = ReadinessBackend::kThreadPoller;
  bool readiness_backend_used_ = false;  // a watcher exists or existed: the backend can no longer change
  ThreadPoller* thread_poller_ = nullptr;  // started at the first watcher, when the backend is the thread poller
  napi_async_cleanup_hook_handle teardown_hook_ = nullptr;
  bool tearing_down_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool host_is_deno_ = false;  // Deno's Node-API differs at teardown: see SetRuntime and the destructor
  int open_polls_ = 0;
  int pending_work_ = 0;
  int startup_count_ = 0;  // our own WSAStartup calls, never libuv's
  int last_error_ = 0;
};

}  // namespace winsock
