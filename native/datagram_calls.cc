// Datagrams: sendto and recvfrom, blocking (1:1 API) and as one nonblocking try (the promises API).
#include "addon.h"
#include "arguments.h"
#include "socket_handle.h"

namespace winsock {

using arguments::kIntMax;
using arguments::kIntMin;

namespace {

// sendto(s, buf, address, port, flags) and recvfrom(s, bufOrLen, flags) share the checks of send and recv.
constexpr std::size_t kSendToAddressIndex = 2;
constexpr std::size_t kSendToFlagsIndex = 4;

}  // namespace

Napi::Value WinsockAddon::DatagramResult(Napi::Value data, const platform::SocketAddress& from) {
  Napi::Object result = EndpointObject(platform::DescribeAddress(from));
  result.Set(data.IsNumber() ? "bytes" : "data", data);
  return result;
}

// `nonblocking`: the promises API's one try, which makes the socket nonblocking and answers null for
// WSAEWOULDBLOCK; otherwise the 1:1 call, blocking as Winsock's does on a blocking socket.
Napi::Value WinsockAddon::SendToOnce(const Napi::CallbackInfo& info, bool nonblocking) {
  SocketHandle& socket = RequireSocketArgument(info, nonblocking ? SocketArgument::kId : SocketArgument::kObject, "sendto");
  const arguments::Bytes bytes = arguments::ByteView(info, 1, "buf");
  RequireStillOpen(socket, "sendto");
  const platform::SocketAddress to = RequireAddress(info, kSendToAddressIndex, 0, "sendto");
  const int flags = static_cast<int>(arguments::Integer(info, kSendToFlagsIndex, "flags", kIntMin, kIntMax, 0));
  if (socket.IsSendShutdown()) ThrowWinsockError(platform::wsa::kShutDown, "sendto");
  if (nonblocking) {
    if (const int error = socket.MakeNonBlocking(); error != 0) ThrowWinsockError(error, "sendto");
  }

  const auto sent = platform::SendTo(socket.Native(), bytes.data, bytes.length, flags, to);
  if (nonblocking && sent.error == platform::wsa::kWouldBlock) {
    WatchForRetry(socket, SocketPoll::kWritable, "sendto");
    return env_.Null();
  }
  if (!sent.ok()) {
    const platform::Endpoint endpoint = platform::DescribeAddress(to);
    ThrowWinsockError(sent.error, "sendto", &endpoint);
  }
  return Napi::Number::New(env_, static_cast<double>(sent.value));
}

Napi::Value WinsockAddon::RecvFromOnce(const Napi::CallbackInfo& info, bool nonblocking) {
  const RecvRequest request = ReadRecvRequest(info, nonblocking ? SocketArgument::kId : SocketArgument::kObject, "recvfrom");
  if (nonblocking) {
    if (const int error = request.socket->MakeNonBlocking(); error != 0) ThrowWinsockError(error, "recvfrom");
  }

  platform::SocketAddress from;
  const auto received = platform::RecvFrom(request.socket->Native(), request.data, request.length, request.flags, &from);
  if (nonblocking && received.error == platform::wsa::kWouldBlock) {
    WatchForRetry(*request.socket, SocketPoll::kReadable, "recvfrom");
    return env_.Null();
  }
  if (!received.ok()) ThrowWinsockError(received.error, "recvfrom");
  return DatagramResult(RecvResult(request, received.value), from);
}

Napi::Value WinsockAddon::SendTo(const Napi::CallbackInfo& info) { return SendToOnce(info, false); }
Napi::Value WinsockAddon::TrySendTo(const Napi::CallbackInfo& info) { return SendToOnce(info, true); }
Napi::Value WinsockAddon::RecvFrom(const Napi::CallbackInfo& info) { return RecvFromOnce(info, false); }
Napi::Value WinsockAddon::TryRecvFrom(const Napi::CallbackInfo& info) { return RecvFromOnce(info, true); }

}  // namespace winsock
