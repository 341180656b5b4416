// Socket options and ioctls: setsockopt/getsockopt with an int or raw bytes, the options whose C types differ
// between Winsock and POSIX (timeouts, linger, multicast membership), ioctlsocket and the WSAIoctl codes.
#include <cstring>
#include <memory>

#include "addon.h"
#include "arguments.h"
#include "socket_handle.h"

namespace winsock {

using arguments::kIntMax;
using arguments::kIntMin;

Napi::Value WinsockAddon::SetSockOpt(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "setsockopt");
  const int level = static_cast<int>(arguments::Integer(info, 1, "level", kIntMin, kIntMax));
  const int name = static_cast<int>(arguments::Integer(info, 2, "optname", kIntMin, kIntMax));
  // An int option (the common case, and how Winsock reads a BOOL), or the option's raw bytes.
  int number = 0;
  arguments::Bytes bytes{&number, sizeof number};
  if (info[3].IsBoolean()) number = info[3].As<Napi::Boolean>().Value() ? 1 : 0;
  else if (info[3].IsNumber()) number = static_cast<int>(arguments::Integer(info, 3, "optval", kIntMin, kIntMax));
  else bytes = arguments::ByteView(info, 3, "optval");
  RequireStillOpen(socket, "setsockopt");

  const int error = platform::SetOption(socket.Native(), level, name, bytes.data, bytes.length);
  if (error != 0) ThrowWinsockError(error, "setsockopt");
  return env_.Undefined();
}

Napi::Value WinsockAddon::GetSockOpt(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "getsockopt");
  const int level = static_cast<int>(arguments::Integer(info, 1, "level", kIntMin, kIntMax));
  const int name = static_cast<int>(arguments::Integer(info, 2, "optname", kIntMin, kIntMax));
  // Without a length the option is read as an int; with one, as that many raw bytes.
  const bool as_int = info[3].IsUndefined();
  // The conversion is on the checked optlen alone (0 to 4096, never negative), not on the ?: of it with a size_t.
  const std::size_t length =
      as_int ? sizeof(int) : static_cast<std::size_t>(arguments::Integer(info, 3, "optlen", 0, 4096));
  std::unique_ptr<std::uint8_t[]> value(new std::uint8_t[length == 0 ? 1 : length]());

  const auto got = platform::GetOption(socket.Native(), level, name, value.get(), length);
  if (!got.ok()) ThrowWinsockError(got.error, "getsockopt");
  if (!as_int) return Napi::Buffer<std::uint8_t>::Copy(env_, value.get(), got.value);
  int number = 0;
  std::memcpy(&number, value.get(), got.value < sizeof number ? got.value : sizeof number);
  return Napi::Number::New(env_, number);
}

Napi::Value WinsockAddon::SetTimeoutOption(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "setsockopt");
  const int name = static_cast<int>(arguments::Integer(info, 1, "optname", kIntMin, kIntMax));
  const auto milliseconds = static_cast<std::uint32_t>(arguments::Integer(info, 2, "milliseconds", 0, 0xffffffffLL));

  const int error = platform::SetTimeoutOption(socket.Native(), name, milliseconds);
  if (error != 0) ThrowWinsockError(error, "setsockopt");
  return env_.Undefined();
}

Napi::Value WinsockAddon::GetTimeoutOption(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "getsockopt");
  const int name = static_cast<int>(arguments::Integer(info, 1, "optname", kIntMin, kIntMax));

  const platform::Result<std::uint32_t> got = platform::GetTimeoutOption(socket.Native(), name);
  if (!got.ok()) ThrowWinsockError(got.error, "getsockopt");
  return Napi::Number::New(env_, got.value);
}

Napi::Value WinsockAddon::SetLinger(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "setsockopt");
  if (!info[1].IsBoolean()) arguments::ThrowTypeError(env_, "The \"onoff\" argument must be of type boolean");
  const platform::Linger linger{info[1].As<Napi::Boolean>().Value(),
                                static_cast<int>(arguments::Integer(info, 2, "linger", 0, 65535))};

  const int error = platform::SetLinger(socket.Native(), linger);
  if (error != 0) ThrowWinsockError(error, "setsockopt");
  return env_.Undefined();
}

Napi::Value WinsockAddon::GetLinger(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "getsockopt");

  const platform::Result<platform::Linger> got = platform::GetLinger(socket.Native());
  if (!got.ok()) ThrowWinsockError(got.error, "getsockopt");
  Napi::Object linger = Napi::Object::New(env_);
  linger.Set("onoff", got.value.on);
  linger.Set("linger", got.value.seconds);
  return linger;
}

Napi::Value WinsockAddon::SetMembership(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "setsockopt");
  const int level = static_cast<int>(arguments::Integer(info, 1, "level", kIntMin, kIntMax));
  const int name = static_cast<int>(arguments::Integer(info, 2, "optname", kIntMin, kIntMax));
  const std::string group = arguments::String(info, 3, "group");
  const std::string interface_address = arguments::OptionalString(info, 4, "interfaceAddress").value_or("");
  const auto interface_index = static_cast<std::uint32_t>(arguments::Integer(info, 5, "interfaceIndex", 0, 0xffffffffLL, 0));

  const int error = platform::SetMembership(socket.Native(), level, name, group, interface_address, interface_index);
  if (error != 0) ThrowWinsockError(error, "setsockopt");
  return env_.Undefined();
}

Napi::Value WinsockAddon::SetMulticastInterface4(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "setsockopt");
  const std::string address = arguments::String(info, 1, "interfaceAddress");

  const int error = platform::SetMulticastInterface4(socket.Native(), address);
  if (error != 0) ThrowWinsockError(error, "setsockopt");
  return env_.Undefined();
}

Napi::Value WinsockAddon::IoctlSocket(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "ioctlsocket");
  const long command = static_cast<long>(arguments::Integer(info, 1, "cmd", -0x80000000LL, 0xffffffffLL));
  const auto argument = static_cast<std::uint32_t>(arguments::Integer(info, 2, "argp", 0, 0xffffffffLL, 0));
  if (!platform::IsSupportedIoctl(command)) ThrowWinsockError(platform::wsa::kInvalidArgument, "ioctlsocket");
  // The async API needs the socket nonblocking; Winsock likewise refuses FIONBIO off while WSAEventSelect is active.
  if (platform::IsNonBlockingIoctl(command) && argument == 0 && socket.UsesPoll())
    ThrowWinsockError(platform::wsa::kInvalidArgument, "ioctlsocket");

  const platform::Result<std::uint32_t> result = platform::IoctlSocket(socket.Native(), command, argument);
  if (!result.ok()) ThrowWinsockError(result.error, "ioctlsocket");
  return Napi::Number::New(env_, result.value);
}

Napi::Value WinsockAddon::SetKeepAliveValues(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "WSAIoctl");
  if (!info[1].IsBoolean()) arguments::ThrowTypeError(env_, "The \"onoff\" argument must be of type boolean");
  const bool on = info[1].As<Napi::Boolean>().Value();
  const auto time_ms = static_cast<std::uint32_t>(arguments::Integer(info, 2, "keepalivetime", 1, 0xffffffffLL));
  const auto interval_ms = static_cast<std::uint32_t>(arguments::Integer(info, 3, "keepaliveinterval", 1, 0xffffffffLL));

  const int error = platform::SetKeepAliveValues(socket.Native(), on, time_ms, interval_ms);
  if (error != 0) ThrowWinsockError(error, "WSAIoctl");
  return env_.Undefined();
}

Napi::Value WinsockAddon::BooleanIoctl(const Napi::CallbackInfo& info) {
  SocketHandle& socket = RequireOpenSocket(info, 0, "WSAIoctl");
  const auto code = static_cast<std::uint32_t>(arguments::Integer(info, 1, "dwIoControlCode", 0, 0xffffffffLL));
  if (!info[2].IsBoolean()) arguments::ThrowTypeError(env_, "The \"value\" argument must be of type boolean");

  const int error = platform::BooleanIoctl(socket.Native(), code, info[2].As<Napi::Boolean>().Value());
  if (error != 0) ThrowWinsockError(error, "WSAIoctl");
  return env_.Undefined();
}

}  // namespace winsock
