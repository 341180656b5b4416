// The 1:1 Winsock calls. Every function reads the same way: (1) check and convert the arguments, (2) make the one
// OS call through native/platform, (3) take its error at once, (4) throw a WinsockError or return the result.
#include <climits>
#include <cstring>
#include <memory>
#include <new>

#include "addon.h"
#include "arguments.h"
#include "socket_handle.h"

namespace winsock {

using arguments::kIntMax;
using arguments::kIntMin;

Napi::Value WinsockAddon::SetErrorFactory(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) arguments::ThrowTypeError(env_, "The \"factory\" argument must be of type function");
  error_factory_ = Napi::Persistent(info[0].As<Napi::Function>());
  return env_.Undefined();
}

Napi::Value WinsockAddon::Startup(const Napi::CallbackInfo& info) {
  const auto requested = static_cast<std::uint16_t>(arguments::Integer(info, 0, "version", 0, 0xffff, 0x0202));
  const platform::Result<platform::StartupInfo> started = platform::Startup(requested);
  if (!started.ok()) ThrowWinsockError(started.error, "WSAStartup");
  ++startup_count_;
  Napi::Object data = Napi::Object::New(env_);
  data.Set("version", started.value.version);
  data.Set("highVersion", started.value.highVersion);
  data.Set("description", started.value.description);
  data.Set("systemStatus", started.value.systemStatus);
  return data;
}

Napi::Value WinsockAddon::Cleanup(const Napi::CallbackInfo&) {
  RequireStarted("WSACleanup");
  const int error = platform::Cleanup();
  if (error != 0) ThrowWinsockError(error, "WSACleanup");
  // As in Winsock, the last cleanup closes every socket still open (here: this environment's).
  if (--startup_count_ == 0) CloseAllSocketsAndNotify();
  return env_.Undefined();
}

Napi::Value WinsockAddon::GetLastError(const Napi::CallbackInfo&) { return Napi::Number::New(env_, last_error_); }

WinsockAddon::AddrInfoQuery WinsockAddon::ReadAddrInfoQuery(const Napi::CallbackInfo& info) {
  AddrInfoQuery query;
  query.node = arguments::OptionalString(info, 0, "node");
  query.service = arguments::OptionalString(info, 1, "service");
  query.hints.flags = static_cast<int>(arguments::Integer(info, 2, "hints.flags", kIntMin, kIntMax, 0));
  query.hints.family = static_cast<int>(arguments::Integer(info, 3, "hints.family", kIntMin, kIntMax, 0));
  query.hints.socktype = static_cast<int>(arguments::Integer(info, 4, "hints.socktype", kIntMin, kIntMax, 0));
  query.hints.protocol = static_cast<int>(arguments::Integer(info, 5, "hints.protocol", kIntMin, kIntMax, 0));
  return query;
}

Napi::Array WinsockAddon::AddrInfoArray(const std::vector<platform::AddressInfo>& entries) {
  Napi::Array array = Napi::Array::New(env_, entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const platform::AddressInfo& entry = entries[i];
    Napi::Object object = EndpointObject(entry.endpoint);
    object.Set("flags", entry.flags);
    object.Set("socktype", entry.socktype);
    object.Set("protocol", entry.protocol);
    object.Set("canonname", entry.canonname.empty() ? env_.Null() : Napi::String::New(env_, entry.canonname));
    array.Set(static_cast<std::uint32_t>(i), object);
  }
  return array;
}

Napi::Value WinsockAddon::GetAddressInfo(const Napi::CallbackInfo& info) {
  const AddrInfoQuery query = ReadAddrInfoQuery(info);
  RequireStarted("getaddrinfo");

  const auto resolved = platform::GetAddressInfo(query.node ? &*query.node : nullptr,
                                              query.service ? &*query.service : nullptr, query.hints);
  if (!resolved.ok()) {
    const platform::Endpoint asked{0, query.node.value_or(""), -1};
    ThrowWinsockError(resolved.error, "getaddrinfo", query.node ? &asked : nullptr);
  }
  return AddrInfoArray(resolved.value);
}

Napi::Value WinsockAddon::Socket(const Napi::CallbackInfo& info) {
  const int family = static_cast<int>(arguments::Integer(info, 0, "af", kIntMin, kIntMax));
  const int type = static_cast<int>(arguments::Integer(info, 1, "type", kIntMin, kIntMax));
  const int protocol = static_cast<int>(arguments::Integer(info, 2, "protocol", kIntMin, kIntMax, 0));
  RequireStarted("socket");

  const platform::Result<platform::NativeSocket> opened = platform::OpenSocket(family, type, protocol);
  if (!opened.ok()) ThrowWinsockError(opened.error, "socket");
  return SocketHandle::Create(*this, opened.value, family, type);
}

platform::SocketAddress WinsockAddon::RequireAddress(const Napi::CallbackInfo& info, std::size_t index, int family,
                                                     const char* syscall) {
  const std::string text = arguments::String(info, index, "address");
  const int port = static_cast<int>(arguments::Integer(info, index + 1, "port", 0, 65535));
  const platform::Result<platform::SocketAddress> address = platform::MakeAddress(family, text, port);
  if (!address.ok()) {
    const platform::Endpoint asked{family, text, port};
    ThrowWinsockError(address.error, syscall, &asked);
  }
  return address.value;
}

platform::SocketAddress WinsockAddon::RequireSocketAddress(const SocketHandle& socket, const Napi::CallbackInfo& info,
                                                           std::size_t index, const char* syscall) {
  if (socket.Family() != platform::kUnixFamily) return RequireAddress(info, index, 0, syscall);
  const std::string path = arguments::SocketPath(info, index, "address");
  const platform::Result<platform::SocketAddress> address = platform::MakeUnixAddress(path);
  if (!address.ok()) {
    const platform::Endpoint asked{platform::kUnixFamily, path, -1};
    ThrowWinsockError(address.error, syscall, &asked);
  }
  return address.value;
}

Napi::Value WinsockAddon::Bind(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "bind");
  const platform::SocketAddress address = RequireSocketAddress(socket, info, 1, "bind");

  const int error = platform::Bind(socket.Native(), address);
  if (error != 0) {
    const platform::Endpoint endpoint = platform::DescribeAddress(address);
    ThrowWinsockError(error, "bind", &endpoint);
  }
  return env_.Undefined();
}

Napi::Value WinsockAddon::Listen(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "listen");
  const int backlog = static_cast<int>(arguments::Integer(info, 1, "backlog", 0, kIntMax));

  const int error = platform::Listen(socket.Native(), backlog);
  if (error != 0) ThrowWinsockError(error, "listen");
  return env_.Undefined();
}

Napi::Value WinsockAddon::Accept(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "accept");

  platform::SocketAddress peer;
  const platform::Result<platform::NativeSocket> accepted = platform::Accept(socket.Native(), &peer);
  if (!accepted.ok()) ThrowWinsockError(accepted.error, "accept");

  return AcceptedSocket(accepted.value, peer, socket.Family(), socket.Type());
}

Napi::Value WinsockAddon::AcceptedSocket(platform::NativeSocket accepted, const platform::SocketAddress& peer,
                                         int family, int type) {
  Napi::Object result = EndpointObject(platform::DescribeAddress(peer));
  Napi::Object client = SocketHandle::Create(*this, accepted, family, type);
  SocketHandle::FromValue(*this, client)->MarkConnected();
  result.Set("socket", client);
  return result;
}

Napi::Value WinsockAddon::Connect(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "connect");
  const platform::SocketAddress address = RequireSocketAddress(socket, info, 1, "connect");

  const int error = platform::Connect(socket.Native(), address);
  if (error != 0) {
    const platform::Endpoint endpoint = platform::DescribeAddress(address);
    ThrowWinsockError(error, "connect", &endpoint);
  }
  socket.MarkConnected();
  return env_.Undefined();
}

WinsockAddon::SendRequest WinsockAddon::ReadSendRequest(const Napi::CallbackInfo& info, SocketArgument kind,
                                                        const char* syscall) {
  return ReadSendRequest(RequireSocketArgument(info, kind, syscall), info[1], info[2], syscall);
}

WinsockAddon::SendRequest WinsockAddon::ReadSendRequest(SocketHandle& socket, Napi::Value buf, Napi::Value flags,
                                                        const char* syscall) {
  // A Buffer or other view in the one call that also reads it, as ReadRecvRequest does; ByteView for the rest (an
  // ArrayBuffer, a view of no bytes, which may be detached, and what is no bytes at all).
  arguments::Bytes bytes;
  if (napi_get_buffer_info(env_, buf, &bytes.data, &bytes.length) != napi_ok || bytes.length == 0) {
    bytes = arguments::ByteView(env_, buf, "buf");
    RequireStillOpen(socket, syscall);
  }
  const int flag_bits = arguments::Flags(env_, flags);
  // Winsock's answers where POSIX gives EPIPE: after shutdown(SD_SEND), and on a stream never connected.
  if (socket.IsSendShutdown()) ThrowWinsockError(platform::wsa::kShutDown, syscall);
  if (socket.Type() == platform::kStreamSocket && !socket.IsConnected()) {
    // Connected since we last looked (a nonblocking connect that select() saw complete)? Ask the OS once.
    if (!platform::GetPeerName(socket.Native()).ok()) ThrowWinsockError(platform::wsa::kNotConnected, syscall);
    socket.MarkConnected();
  }
  return SendRequest{&socket, bytes.data, bytes.length, flag_bits};
}

WinsockAddon::RecvRequest WinsockAddon::ReadRecvRequest(const Napi::CallbackInfo& info, SocketArgument kind,
                                                        const char* syscall) {
  return ReadRecvRequest(RequireSocketArgument(info, kind, syscall), info[1], info[2], syscall);
}

WinsockAddon::RecvRequest WinsockAddon::ReadRecvRequest(SocketHandle& socket, Napi::Value buf, Napi::Value flags,
                                                        const char* syscall) {
  RecvRequest request{&socket, nullptr, 0, 0, nullptr};
  // A Buffer or other view first, in the one call that also reads it: a round trip's reads all take one, and
  // asking the type first cost a napi_typeof each.
  void* view_data = nullptr;
  std::size_t view_length = 0;
  if (napi_get_buffer_info(env_, buf, &view_data, &view_length) == napi_ok && view_length > 0) {
    request.data = view_data;
    request.length = view_length;
  } else if (buf.IsNumber()) {
    request.length = static_cast<std::size_t>(arguments::Integer(env_, buf, "len", 0, kIntMax));
    // A length the process cannot allocate is Winsock's "no buffer space", never an abort.
    request.owned.reset(new (std::nothrow) std::uint8_t[request.length == 0 ? 1 : request.length]);
    if (request.owned == nullptr) ThrowWinsockError(platform::wsa::kNoBufferSpace, syscall);
    request.data = request.owned.get();
  } else {
    const arguments::Bytes bytes = arguments::ByteView(env_, buf, "buf");
    RequireStillOpen(socket, syscall);
    request.data = bytes.data;
    request.length = bytes.length;
  }
  request.flags = arguments::Flags(env_, flags);
  // Winsock refuses to read after shutdown(SD_RECEIVE); POSIX would report end of stream instead.
  if (socket.IsReceiveShutdown()) ThrowWinsockError(platform::wsa::kShutDown, syscall);
  return request;
}

Napi::Value WinsockAddon::OwnedRecvResult(const RecvRequest& request, std::size_t received) {
  return Napi::Buffer<std::uint8_t>::Copy(env_, request.owned.get(), platform::Bounded(received, request.length));
}

Napi::Value WinsockAddon::Send(const Napi::CallbackInfo& info) {
  const SendRequest request = ReadSendRequest(info, SocketArgument::kObject, "send");

  const auto sent = platform::Send(request.socket->Native(), request.data, request.length, request.flags);
  if (!sent.ok()) ThrowWinsockError(sent.error, "send");
  return Napi::Number::New(env_, static_cast<double>(sent.value));
}

Napi::Value WinsockAddon::Recv(const Napi::CallbackInfo& info) {
  const RecvRequest request = ReadRecvRequest(info, SocketArgument::kObject, "recv");

  const auto received = request.socket->Recv(request.data, request.length, request.flags);
  if (!received.ok()) ThrowWinsockError(received.error, "recv");
  return RecvResult(request, received.value);
}

Napi::Value WinsockAddon::Shutdown(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "shutdown");
  const int how = static_cast<int>(arguments::Integer(info, 1, "how", kIntMin, kIntMax));

  const int error = platform::Shutdown(socket.Native(), how);
  if (error != 0) ThrowWinsockError(error, "shutdown");
  socket.MarkShutdown(how == platform::kShutdownSend || how == platform::kShutdownBoth,
                      how == platform::kShutdownReceive || how == platform::kShutdownBoth);
  return env_.Undefined();
}

Napi::Value WinsockAddon::CloseSocket(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "closesocket");

  const int error = CloseAndNotify(socket);
  if (error != 0) ThrowWinsockError(error, "closesocket");
  return env_.Undefined();
}

Napi::Value WinsockAddon::GetSockName(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "getsockname");

  const platform::Result<platform::SocketAddress> name = platform::GetSockName(socket.Native());
  if (!name.ok()) ThrowWinsockError(name.error, "getsockname");
  return EndpointObject(platform::DescribeAddress(name.value));
}

Napi::Value WinsockAddon::GetPeerName(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "getpeername");

  const platform::Result<platform::SocketAddress> name = platform::GetPeerName(socket.Native());
  if (!name.ok()) ThrowWinsockError(name.error, "getpeername");
  return EndpointObject(platform::DescribeAddress(name.value));
}

}  // namespace winsock
