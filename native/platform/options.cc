// Socket options whose C types differ between Winsock and POSIX, and the numeric address conversions, written once
// over the OS headers: the structs share their field names (linger, ip_mreq, ipv6_mreq), only their types differ.
#include <cstring>

#include "platform.h"
#include "system.h"

namespace winsock::platform {

int SetTimeoutOption(NativeSocket s, int name, std::uint32_t milliseconds) {
#ifdef _WIN32
  const DWORD value = milliseconds;  // Winsock takes a DWORD of milliseconds
#else
  timeval value{};
  value.tv_sec = static_cast<time_t>(milliseconds / 1000);
  value.tv_usec = static_cast<suseconds_t>((milliseconds % 1000) * 1000);
#endif
  return SetOption(s, SOL_SOCKET, name, &value, sizeof value);
}

Result<std::uint32_t> GetTimeoutOption(NativeSocket s, int name) {
#ifdef _WIN32
  DWORD value = 0;
#else
  timeval value{};
#endif
  const Result<std::size_t> got = GetOption(s, SOL_SOCKET, name, &value, sizeof value);
  if (!got.ok()) return Fail<std::uint32_t>(got.error);
#ifdef _WIN32
  return Ok(static_cast<std::uint32_t>(value));
#else
  return Ok(static_cast<std::uint32_t>(value.tv_sec * 1000 + value.tv_usec / 1000));
#endif
}

int SetLinger(NativeSocket s, const Linger& linger) {
  struct linger value{};
  value.l_onoff = static_cast<decltype(value.l_onoff)>(linger.on ? 1 : 0);
  value.l_linger = static_cast<decltype(value.l_linger)>(linger.seconds);
  return SetOption(s, SOL_SOCKET, SO_LINGER, &value, sizeof value);
}

Result<Linger> GetLinger(NativeSocket s) {
  struct linger value{};
  const Result<std::size_t> got = GetOption(s, SOL_SOCKET, SO_LINGER, &value, sizeof value);
  if (!got.ok()) return Fail<Linger>(got.error);
  return Ok(Linger{value.l_onoff != 0, static_cast<int>(value.l_linger)});
}

int SetMembership(NativeSocket s, int level, int name, const std::string& group, const std::string& interface_address,
                  std::uint32_t interface_index) {
  if (level == IPPROTO_IP) {
    ip_mreq request{};
    if (inet_pton(AF_INET, group.c_str(), &request.imr_multiaddr) != 1) return wsa::kInvalidArgument;
    const char* local = interface_address.empty() ? "0.0.0.0" : interface_address.c_str();
    if (inet_pton(AF_INET, local, &request.imr_interface) != 1) return wsa::kInvalidArgument;
    return SetOption(s, level, name, &request, sizeof request);
  }
  ipv6_mreq request{};
  if (inet_pton(AF_INET6, group.c_str(), &request.ipv6mr_multiaddr) != 1) return wsa::kInvalidArgument;
  request.ipv6mr_interface = interface_index;
  return SetOption(s, level, name, &request, sizeof request);
}

int SetMulticastInterface4(NativeSocket s, const std::string& interface_address) {
  in_addr local{};
  if (inet_pton(AF_INET, interface_address.c_str(), &local) != 1) return wsa::kInvalidArgument;
  return SetOption(s, IPPROTO_IP, IP_MULTICAST_IF, &local, sizeof local);
}

Result<int> GetSocketType(NativeSocket s) {
  int type = 0;
  const Result<std::size_t> got = GetOption(s, SOL_SOCKET, SO_TYPE, &type, sizeof type);
  if (!got.ok()) return Fail<int>(got.error);
  return Ok(type);
}

bool IsNonBlockingIoctl(long command) { return command == static_cast<long>(FIONBIO); }

bool IsSupportedIoctl(long command) {
  return command == static_cast<long>(FIONBIO) || command == static_cast<long>(FIONREAD) ||
         command == static_cast<long>(SIOCATMARK);
}

Result<std::vector<std::uint8_t>> ParseNumeric(int family, const std::string& text) {
  if (family != AF_INET && family != AF_INET6) return Fail<std::vector<std::uint8_t>>(wsa::kAddressFamilyNotSupported);
  std::vector<std::uint8_t> bytes(family == AF_INET ? 4 : 16);
  if (inet_pton(family, text.c_str(), bytes.data()) != 1) return Fail<std::vector<std::uint8_t>>(wsa::kInvalidArgument);
  return Ok(std::move(bytes));
}

Result<std::string> FormatNumeric(int family, const std::uint8_t* bytes, std::size_t length) {
  if (family != AF_INET && family != AF_INET6) return Fail<std::string>(wsa::kAddressFamilyNotSupported);
  if (length != (family == AF_INET ? 4u : 16u)) return Fail<std::string>(wsa::kInvalidArgument);
  char text[INET6_ADDRSTRLEN] = {};
  unsigned char copy[16] = {};
  std::memcpy(copy, bytes, length);
  if (inet_ntop(family, copy, text, sizeof text) == nullptr) return Fail<std::string>(wsa::kInvalidArgument);
  return Ok(std::string(text));
}

}  // namespace winsock::platform
