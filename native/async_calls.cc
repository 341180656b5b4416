// The nonblocking primitives under the promises API (src/promises.ts). Each try* makes one attempt on the socket
// (nonblocking from its first async use) and returns null where Winsock says WSAEWOULDBLOCK, and then it has
// started watching the socket itself: JavaScript always waits after a null (src/readiness.ts), so waiting costs no
// second native call. A readiness event is delivered once (WinsockAddon::DeliverReadiness); a retry that finds
// WSAEWOULDBLOCK again watches anew. A tryRecv into a buffer may also be armed (SocketHandle::ArmRecv): the
// readiness event then reads for it here (ReadForArmedRecv), and JavaScript only settles the call.
// getaddrinfo runs on the libuv threadpool instead.
#include "addon.h"
#include "arguments.h"
#include "socket_handle.h"
#include "threadpool_work.h"

#include <iterator>

namespace winsock {
namespace {

using arguments::kIntMax;
using arguments::kIntMin;

// getaddrinfo on the libuv threadpool: name resolution has no readiness to wait for.
class AddrInfoWork : public ThreadpoolWork {
 public:
  AddrInfoWork(WinsockAddon& addon, const Napi::Function& callback, std::optional<std::string> node,
               std::optional<std::string> service, platform::AddressInfoHints hints)
      : ThreadpoolWork(addon, callback, "winsock:getaddrinfo"),
        node_(std::move(node)),
        service_(std::move(service)),
        hints_(hints) {}

  void Execute() override {
    result_ = platform::GetAddressInfo(node_ ? &*node_ : nullptr, service_ ? &*service_ : nullptr, hints_);
  }

 private:
  Outcome Settle(WinsockAddon& addon) override {
    if (result_.ok()) return Resolved(addon.AddrInfoArray(result_.value));
    const platform::Endpoint asked{0, node_.value_or(""), -1};
    return Rejected(addon.MakeWinsockError(result_.error, "getaddrinfo", node_ ? &asked : nullptr));
  }

  std::optional<std::string> node_;
  std::optional<std::string> service_;
  platform::AddressInfoHints hints_;
  platform::Result<std::vector<platform::AddressInfo>> result_;
};

}  // namespace

Napi::Value WinsockAddon::SetReadinessCallback(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) arguments::ThrowTypeError(env_, "The \"callback\" argument must be of type function");
  readiness_callback_ = Napi::Persistent(info[0].As<Napi::Function>());
  return env_.Undefined();
}

Napi::Value WinsockAddon::Watch(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocketId(info, 0, "watch");
  const int events = static_cast<int>(arguments::Integer(info, 1, "events", 0, SocketPoll::Watchable()));
  if ((events & ~SocketPoll::Watchable()) != 0) arguments::ThrowRangeError(env_, "The \"events\" argument holds an event this OS cannot watch");

  WatchForRetry(socket, events, "watch");
  return env_.Undefined();
}

Napi::Value WinsockAddon::Unwatch(const Napi::CallbackInfo& info) {
  SocketHandle* socket = FindSocketId(info, 0);
  const int events = static_cast<int>(arguments::Integer(info, 1, "events", 0, SocketPoll::Watchable()));

  if (socket != nullptr) socket->Unwatch(events);  // a socket closed meanwhile watches nothing any more
  return env_.Undefined();
}

Napi::Value WinsockAddon::SetKeepsLoopAlive(const Napi::CallbackInfo& info) {
  SocketHandle* socket = FindSocketId(info, 0);
  if (!info[1].IsBoolean()) arguments::ThrowTypeError(env_, "The \"keeps\" argument must be of type boolean");
  const bool keeps = info[1].As<Napi::Boolean>().Value();

  if (socket != nullptr) socket->SetKeepsLoopAlive(keeps);  // a closed socket keeps nothing alive any more
  return env_.Undefined();
}

Napi::Value WinsockAddon::SocketId(const Napi::CallbackInfo& info) {
  const SocketHandle* socket = SocketHandle::FromValue(*this, info[0]);
  if (socket == nullptr) arguments::ThrowTypeError(env_, "The \"s\" argument must be a SOCKET (from socket() or accept())");
  return Napi::Number::New(env_, static_cast<double>(socket->Id()));
}

void WinsockAddon::WatchForRetry(SocketHandle& socket, int events, const char* syscall) {
  if (const int error = socket.Watch(events); error != 0) ThrowWinsockError(error, syscall);
}

Napi::Value WinsockAddon::TryAccept(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocketId(info, 0, "accept");
  if (const int error = socket.MakeNonBlocking(); error != 0) ThrowWinsockError(error, "accept");

  platform::SocketAddress peer;
  const platform::Result<platform::NativeSocket> accepted = platform::Accept(socket.Native(), &peer);
  if (accepted.error == platform::wsa::kWouldBlock) {
    WatchForRetry(socket, SocketPoll::kReadable, "accept");
    return env_.Null();
  }
  if (!accepted.ok()) ThrowWinsockError(accepted.error, "accept");
  return AcceptedSocket(accepted.value, peer, socket.Family(), socket.Type());
}

Napi::Value WinsockAddon::TryConnect(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocketId(info, 0, "connect");
  const platform::SocketAddress address = RequireSocketAddress(socket, info, 1, "connect");
  if (const int error = socket.MakeNonBlocking(); error != 0) ThrowWinsockError(error, "connect");

  const int error = platform::Connect(socket.Native(), address);
  if (error == platform::wsa::kWouldBlock) {  // in progress: it completes when the socket becomes writable
    WatchForRetry(socket, SocketPoll::kWritable, "connect");
    return Napi::Boolean::New(env_, false);
  }
  if (error != 0) {
    const platform::Endpoint endpoint = platform::DescribeAddress(address);
    ThrowWinsockError(error, "connect", &endpoint);
  }
  socket.MarkConnected();
  return Napi::Boolean::New(env_, true);
}

Napi::Value WinsockAddon::ConnectResult(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocketId(info, 0, "connect");
  const platform::SocketAddress address = RequireSocketAddress(socket, info, 1, "connect");

  const platform::Result<int> pending = platform::TakeSocketError(socket.Native());
  const int error = pending.ok() ? pending.value : pending.error;
  if (error != 0) {
    const platform::Endpoint endpoint = platform::DescribeAddress(address);
    ThrowWinsockError(error, "connect", &endpoint);
  }
  // No error yet is not success yet: after a spurious wakeup the connect may still be under way.
  const platform::Result<platform::SocketAddress> peer = platform::GetPeerName(socket.Native());
  if (peer.error == platform::wsa::kNotConnected) {
    const platform::Result<bool> over = platform::ConnectIsOver(socket.Native());
    if (over.ok() && !over.value) {
      WatchForRetry(socket, SocketPoll::kWritable, "connect");
      return Napi::Boolean::New(env_, false);
    }
    // Over, yet no peer: the connect failed and another call (a recv, getsockopt SO_ERROR) took its error. Watching
    // for writable again would spin, as a failed socket is always writable; refused is what such a failure was.
    const platform::Endpoint endpoint = platform::DescribeAddress(address);
    ThrowWinsockError(over.ok() ? platform::wsa::kConnectionRefused : over.error, "connect", &endpoint);
  }
  if (!peer.ok()) {
    const platform::Endpoint endpoint = platform::DescribeAddress(address);
    ThrowWinsockError(peer.error, "connect", &endpoint);
  }
  socket.MarkConnected();
  return Napi::Boolean::New(env_, true);
}

namespace {

// A plain Node-API function for WinsockAddon::*Call, which takes `Count` positional arguments (missing ones read as
// undefined, as napi_get_cb_info fills them in; asking for no more than the call reads saves copying them). The
// addon is the function's data: no instance lookup, no CallbackInfo. A Napi::Error thrown inside becomes the
// JavaScript exception, as node-addon-api's wrapper does.
template <Napi::Value (WinsockAddon::*Call)(const napi_value*), std::size_t Count>
napi_value PositionalCall(napi_env env, napi_callback_info info) {
  std::size_t argc = Count;
  napi_value args[Count];
  void* data = nullptr;
  if (napi_get_cb_info(env, info, &argc, args, nullptr, &data) != napi_ok) return nullptr;  // exception pending
  try {
    return (static_cast<WinsockAddon*>(data)->*Call)(args);
  } catch (const Napi::Error& error) {
    error.ThrowAsJavaScriptException();
    return nullptr;
  }
}

}  // namespace

void WinsockAddon::DefineTryCalls(Napi::Object exports) {
  // The addon outlives these functions (it is the environment's instance data), so their data needs no finalizer.
  const napi_property_attributes attributes = napi_enumerable;
  const napi_property_descriptor calls[] = {
      {"trySend", nullptr, PositionalCall<&WinsockAddon::TrySend, 3>, nullptr, nullptr, nullptr, attributes, this},
      {"tryRecv", nullptr, PositionalCall<&WinsockAddon::TryRecv, 4>, nullptr, nullptr, nullptr, attributes, this},
  };
  NAPI_THROW_IF_FAILED_VOID(env_, napi_define_properties(env_, exports, std::size(calls), calls));
}

Napi::Value WinsockAddon::TrySend(const napi_value* args) {
  const SendRequest request = ReadSendRequest(RequireOpenSocketId(args[0], "send"), Napi::Value(env_, args[1]),
                                              Napi::Value(env_, args[2]), "send");
  if (const int error = request.socket->MakeNonBlocking(); error != 0) ThrowWinsockError(error, "send");

  const auto sent = platform::TrySend(request.socket->Native(), request.data, request.length, request.flags);
  if (sent.error == platform::wsa::kWouldBlock) {
    WatchForRetry(*request.socket, SocketPoll::kWritable, "send");
    return env_.Null();
  }
  if (!sent.ok()) ThrowWinsockError(sent.error, "send");
  // Part sent: the send buffer is full now, and another try would only find WSAEWOULDBLOCK. The caller waits to send
  // the rest, so watch for it here as for a WSAEWOULDBLOCK.
  if (sent.value < request.length) WatchForRetry(*request.socket, SocketPoll::kWritable, "send");
  return Napi::Value(env_, Count(sent.value));
}

Napi::Value WinsockAddon::TryRecv(const napi_value* args) {
  const RecvRequest request = ReadRecvRequest(RequireOpenSocketId(args[0], "recv"), Napi::Value(env_, args[1]),
                                              Napi::Value(env_, args[2]), "recv");
  if (const int error = request.socket->MakeNonBlocking(); error != 0) ThrowWinsockError(error, "recv");

  const auto received = request.socket->TryRecv(request.data, request.length, request.flags);
  if (received.error == platform::wsa::kWouldBlock) {
    WatchForRetry(*request.socket, SocketPoll::kReadable, "recv");
    bool arm = false;
    if (request.owned == nullptr && napi_get_value_bool(env_, args[3], &arm) == napi_ok && arm) {
      request.socket->ArmRecv(args[1], request.data, request.length, request.flags);
    }
    return env_.Null();
  }
  if (!received.ok()) ThrowWinsockError(received.error, "recv");
  return RecvResult(request, received.value);
}

napi_value WinsockAddon::ReadForArmedRecv(SocketHandle& socket) {
  void* data = nullptr;
  std::size_t length = 0;
  // The buffer no longer has the bytes it had at the call (resized, detached), or reading was shut down meanwhile:
  // JavaScript's own retry meets what the call fails with, by name, as at its first try.
  if (!socket.ArmedRecvBytes(&data, &length) || length == 0 || data != socket.ArmedRecvData() ||
      length != socket.ArmedRecvLength() || socket.IsReceiveShutdown()) {
    // Released, not kept weak: a buffer collected since would otherwise match the next call into the same address
    // and send every wait of it down this path.
    socket.ReleaseRecvBuffer();
    return env_.Undefined();
  }
  const auto received = socket.TryRecv(data, length, socket.ArmedRecvFlags());
  if (received.error == platform::wsa::kWouldBlock) {
    // A spurious wakeup: the call waits on, armed; if the socket cannot be watched, its retry fails with the reason.
    if (socket.Watch(SocketPoll::kReadable) == 0) return env_.Null();
    socket.DisarmRecv();
    return env_.Undefined();
  }
  socket.DisarmRecv();
  if (!received.ok()) {
    last_error_ = received.error;  // as ThrowWinsockError would have remembered it for getLastError()
    return Napi::Number::New(env_, -static_cast<double>(received.error));
  }
  return Count(platform::Bounded(received.value, length));
}

Napi::Value WinsockAddon::GetAddressInfoAsync(const Napi::CallbackInfo& info) {
  AddrInfoQuery query = ReadAddrInfoQuery(info);
  const Napi::Function callback = arguments::Function(info, 6, "callback");
  RequireStarted("getaddrinfo");

  auto* work = new AddrInfoWork(*this, callback, std::move(query.node), std::move(query.service), query.hints);
  work->Queue();  // deletes itself once it has called back
  return env_.Undefined();
}

}  // namespace winsock
