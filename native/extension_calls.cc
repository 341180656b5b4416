// What node:net never offered, as Winsock and POSIX calls: the traffic class, the dead-peer timeout, the native
// handle, moving a socket to another process, and packet info (the local address each datagram was sent to).
#include "addon.h"
#include "arguments.h"
#include "socket_handle.h"

namespace winsock {

using arguments::kIntMax;
using arguments::kIntMin;

namespace {

// sendmsg(s, buf, address, port, flags, localAddress?, interfaceIndex?)
constexpr std::size_t kSendMsgAddressIndex = 2;
constexpr std::size_t kSendMsgFlagsIndex = 4;
constexpr std::size_t kSendMsgLocalIndex = 5;
constexpr std::size_t kSendMsgInterfaceIndex = 6;

}  // namespace

Napi::Value WinsockAddon::SetTrafficClass(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "setsockopt");
  const int value = static_cast<int>(arguments::Integer(info, 1, "tos", 0, 255));

  const int error = platform::SetTrafficClass(socket.Native(), socket.Family(), value);
  if (error != 0) ThrowWinsockError(error, "setsockopt");
  return env_.Undefined();
}

Napi::Value WinsockAddon::GetTrafficClass(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "getsockopt");

  const platform::Result<int> value = platform::GetTrafficClass(socket.Native(), socket.Family());
  if (!value.ok()) ThrowWinsockError(value.error, "getsockopt");
  return Napi::Number::New(env_, value.value);
}

Napi::Value WinsockAddon::SetUserTimeout(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "setsockopt");
  const auto milliseconds = static_cast<std::uint32_t>(arguments::Integer(info, 1, "milliseconds", 0, kIntMax));

  const int error = platform::SetUserTimeout(socket.Native(), milliseconds);
  if (error != 0) ThrowWinsockError(error, "setsockopt");
  return env_.Undefined();
}

Napi::Value WinsockAddon::GetUserTimeout(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "getsockopt");

  const platform::Result<std::uint32_t> value = platform::GetUserTimeout(socket.Native());
  if (!value.ok()) ThrowWinsockError(value.error, "getsockopt");
  return Napi::Number::New(env_, value.value);
}

Napi::Value WinsockAddon::NativeHandle(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "handle");
  // A bigint: a Windows SOCKET is pointer-sized, more than a double holds exactly in general.
  return Napi::BigInt::New(env_, static_cast<std::uint64_t>(socket.Native()));
}

Napi::Value WinsockAddon::Share(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "WSADuplicateSocket");
  const auto pid = static_cast<std::uint32_t>(arguments::Integer(info, 1, "pid", 0, 0xffffffffLL));

  const auto blob = platform::ShareSocket(socket.Native(), pid);
  if (!blob.ok()) ThrowWinsockError(blob.error, "WSADuplicateSocket");
  return Napi::Buffer<std::uint8_t>::Copy(env_, blob.value.data(), blob.value.size());
}

Napi::Value WinsockAddon::FromShare(const Napi::CallbackInfo& info) {
  const arguments::Bytes blob = arguments::ByteView(info, 0, "blob");
  RequireStarted("WSASocket");

  const auto taken = platform::SocketFromShare(static_cast<const std::uint8_t*>(blob.data), blob.length);
  if (!taken.ok()) ThrowWinsockError(taken.error, "WSASocket");
  return AdoptSocket(taken.value, "WSASocket");
}

Napi::Object WinsockAddon::AdoptSocket(platform::NativeSocket socket, const char* syscall) {
  // The socket arrives without this process's bookkeeping: read its family, type and whether it is connected.
  const platform::Result<int> type = platform::GetSocketType(socket);
  if (!type.ok()) {
    platform::CloseSocket(socket);  // a descriptor that is not a socket (a forged blob): never wrap it
    ThrowWinsockError(platform::wsa::kNotSocket, syscall);
  }
  const auto local = platform::GetSockName(socket);
  const int family = local.ok() ? platform::DescribeAddress(local.value).family : 0;
  Napi::Object object = SocketHandle::Create(*this, socket, family, type.value);
  if (platform::GetPeerName(socket).ok()) SocketHandle::FromValue(*this, object)->MarkConnected();
  return object;
}

Napi::Value WinsockAddon::SendSocket(const Napi::CallbackInfo& info) {
  const std::string path = arguments::String(info, 0, "path");
  SocketHandle& socket = RequireOpenSocket(info, 1, "sendmsg");
  const auto timeout =
      static_cast<std::uint32_t>(arguments::Integer(info, 2, "options.timeout", 0, arguments::kIntMax));

  const int error = platform::SendSocket(path, socket.Native(), timeout);
  if (error != 0) {
    const platform::Endpoint asked{0, path, -1};
    ThrowWinsockError(error, "sendmsg", &asked);
  }
  return env_.Undefined();
}

Napi::Value WinsockAddon::ReceiveSocket(const Napi::CallbackInfo& info) {
  const std::string path = arguments::String(info, 0, "path");
  const auto timeout =
      static_cast<std::uint32_t>(arguments::Integer(info, 1, "options.timeout", 0, arguments::kIntMax));
  RequireStarted("recvmsg");

  const platform::Result<platform::NativeSocket> received = platform::ReceiveSocket(path, timeout);
  if (!received.ok()) {
    const platform::Endpoint asked{0, path, -1};
    ThrowWinsockError(received.error, "recvmsg", &asked);
  }
  return AdoptSocket(received.value, "recvmsg");
}

Napi::Value WinsockAddon::EnablePacketInfo(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "setsockopt");

  const int error = platform::EnablePacketInfo(socket.Native(), socket.Family());
  if (error != 0) ThrowWinsockError(error, "setsockopt");
  return env_.Undefined();
}

Napi::Value WinsockAddon::RecvMsgOnce(const Napi::CallbackInfo& info, bool nonblocking) {
  const RecvRequest request = ReadRecvRequest(info, nonblocking ? SocketArgument::kId : SocketArgument::kObject, "recvmsg");
  if (nonblocking) {
    if (const int error = request.socket->MakeNonBlocking(); error != 0) ThrowWinsockError(error, "recvmsg");
  }

  platform::SocketAddress from;
  platform::PacketInfo packet;
  const auto received =
      platform::RecvMsg(request.socket->Native(), request.data, request.length, request.flags, &from, &packet);
  if (nonblocking && received.error == platform::wsa::kWouldBlock) {
    WatchForRetry(*request.socket, SocketPoll::kReadable, "recvmsg");
    return env_.Null();
  }
  if (!received.ok()) ThrowWinsockError(received.error, "recvmsg");
  Napi::Object result = DatagramResult(RecvResult(request, received.value), from).As<Napi::Object>();
  if (packet.present) {
    result.Set("localAddress", platform::DescribeAddress(packet.local).address);
    result.Set("interfaceIndex", packet.interface_index);
  }
  return result;
}

Napi::Value WinsockAddon::SendMsgOnce(const Napi::CallbackInfo& info, bool nonblocking) {
  SocketHandle& socket = RequireSocketArgument(info, nonblocking ? SocketArgument::kId : SocketArgument::kObject, "sendmsg");
  const arguments::Bytes bytes = arguments::ByteView(info, 1, "buf");
  RequireStillOpen(socket, "sendmsg");
  const platform::SocketAddress to = RequireAddress(info, kSendMsgAddressIndex, 0, "sendmsg");
  const int flags = static_cast<int>(arguments::Integer(info, kSendMsgFlagsIndex, "flags", kIntMin, kIntMax, 0));
  platform::PacketInfo packet;
  const std::optional<std::string> local = arguments::OptionalString(info, kSendMsgLocalIndex, "localAddress");
  if (local) {
    const auto parsed = platform::MakeAddress(platform::DescribeAddress(to).family, *local, 0);
    if (!parsed.ok()) {
      const platform::Endpoint asked{0, *local, -1};
      ThrowWinsockError(parsed.error, "sendmsg", &asked);
    }
    packet.present = true;
    packet.local = parsed.value;
    packet.interface_index =
        static_cast<std::uint32_t>(arguments::Integer(info, kSendMsgInterfaceIndex, "interfaceIndex", 0, kIntMax, 0));
  }
  if (nonblocking) {
    if (const int error = socket.MakeNonBlocking(); error != 0) ThrowWinsockError(error, "sendmsg");
  }

  const auto sent = platform::SendMsg(socket.Native(), bytes.data, bytes.length, flags, to, packet);
  if (nonblocking && sent.error == platform::wsa::kWouldBlock) {
    WatchForRetry(socket, SocketPoll::kWritable, "sendmsg");
    return env_.Null();
  }
  if (!sent.ok()) {
    const platform::Endpoint endpoint = platform::DescribeAddress(to);
    ThrowWinsockError(sent.error, "sendmsg", &endpoint);
  }
  return Napi::Number::New(env_, static_cast<double>(sent.value));
}

Napi::Value WinsockAddon::RecvMsg(const Napi::CallbackInfo& info) { return RecvMsgOnce(info, false); }
Napi::Value WinsockAddon::TryRecvMsg(const Napi::CallbackInfo& info) { return RecvMsgOnce(info, true); }
Napi::Value WinsockAddon::SendMsg(const Napi::CallbackInfo& info) { return SendMsgOnce(info, false); }
Napi::Value WinsockAddon::TrySendMsg(const Napi::CallbackInfo& info) { return SendMsgOnce(info, true); }

}  // namespace winsock
