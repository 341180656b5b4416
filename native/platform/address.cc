// Socket addresses between their text form and sockaddr, the same on Winsock and POSIX.
#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "platform.h"
#include "system.h"

namespace winsock::platform {
namespace {

Result<SocketAddress> Store(const void* sockaddr_bytes, std::size_t length) {
  SocketAddress address;
  std::memcpy(address.storage, sockaddr_bytes, length);
  address.length = static_cast<int>(length);
  return Ok(address);
}

// The part after '%' in "fe80::1%2": an interface index, or (on POSIX) an interface name such as "lo".
bool ParseScope(const std::string& scope, std::uint32_t* index) {
  char* end = nullptr;
  const unsigned long number = std::strtoul(scope.c_str(), &end, 10);
  if (!scope.empty() && *end == '\0') {
    *index = static_cast<std::uint32_t>(number);
    return true;
  }
#ifdef _WIN32
  return false;  // Windows writes scopes as numbers; interface names would need iphlpapi
#else
  *index = if_nametoindex(scope.c_str());
  return *index != 0;
#endif
}

// The name in an AF_UNIX address whose kernel-reported length is `length`: only the bytes inside both that length
// and sun_path are read. A path ends at its first NUL; an abstract name (Linux: a leading NUL) is every byte the
// length covers; an unnamed socket's address is the family alone, and its name is ''.
std::string UnixName(const sockaddr_storage& storage, int length) {
  const auto& unix_address = reinterpret_cast<const sockaddr_un&>(storage);
  const std::size_t offset = offsetof(sockaddr_un, sun_path);
  const std::size_t reported = static_cast<std::size_t>(std::max(length, 0));
  const std::size_t held = std::min(reported, sizeof unix_address);
  std::size_t size = held > offset ? held - offset : 0;
  if (size > 0 && unix_address.sun_path[0] != '\0') {
    size = static_cast<std::size_t>(std::find(unix_address.sun_path, unix_address.sun_path + size, '\0') -
                                    unix_address.sun_path);
  }
  return std::string(unix_address.sun_path, size);
}

}  // namespace

Result<SocketAddress> MakeAddress(int family, const std::string& text, int port) {
  sockaddr_in v4{};
  if ((family == 0 || family == AF_INET) && inet_pton(AF_INET, text.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(static_cast<std::uint16_t>(port));
    return Store(&v4, sizeof v4);
  }
  const std::size_t percent = text.find('%');
  const std::string host = text.substr(0, percent);
  sockaddr_in6 v6{};
  if ((family == 0 || family == AF_INET6) && inet_pton(AF_INET6, host.c_str(), &v6.sin6_addr) == 1) {
    std::uint32_t scope = 0;
    if (percent != std::string::npos && !ParseScope(text.substr(percent + 1), &scope))
      return Fail<SocketAddress>(wsa::kInvalidArgument);
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(static_cast<std::uint16_t>(port));
    v6.sin6_scope_id = scope;
    return Store(&v6, sizeof v6);
  }
  // A numeric address of the other family is the wrong family; anything else is not an address at all.
  in6_addr probe{};
  const bool other_family = (family == AF_INET && inet_pton(AF_INET6, host.c_str(), &probe) == 1) ||
                            (family == AF_INET6 && inet_pton(AF_INET, text.c_str(), &probe) == 1);
  return Fail<SocketAddress>(other_family ? wsa::kAddressFamilyNotSupported : wsa::kInvalidArgument);
}

Result<SocketAddress> MakeUnixAddress(const std::string& path) {
  static_assert(sizeof(sockaddr_un) <= sizeof(SocketAddress::storage), "a sockaddr_un fits a SocketAddress");
  sockaddr_un unix_address{};
  const bool abstract = !path.empty() && path[0] == '\0';
  // A path keeps room for its terminating NUL; an abstract name has none, its length says where it ends.
  const std::size_t used = path.size() + (abstract ? 0 : 1);
  if (path.empty() || used > sizeof unix_address.sun_path) return Fail<SocketAddress>(wsa::kInvalidArgument);
  unix_address.sun_family = AF_UNIX;
  std::memcpy(unix_address.sun_path, path.data(), path.size());
  // A path is passed with the whole structure, as Microsoft's afunix samples do (the rest is zeros); an abstract
  // name only with its own bytes, since the kernel counts every byte given as part of the name.
  return Store(&unix_address, abstract ? offsetof(sockaddr_un, sun_path) + path.size() : sizeof unix_address);
}

Endpoint DescribeAddress(const SocketAddress& address) {
  Endpoint endpoint;
  char text[INET6_ADDRSTRLEN] = {};
  sockaddr_storage storage{};
  std::memcpy(&storage, address.storage, sizeof storage < sizeof address.storage ? sizeof storage
                                                                                 : sizeof address.storage);
  endpoint.family = storage.ss_family;
  if (storage.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(storage);
    inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    endpoint.address = text;
    endpoint.port = ntohs(v4.sin_port);
  } else if (storage.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(storage);
    inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    endpoint.address = text;
    if (v6.sin6_scope_id != 0) endpoint.address += "%" + std::to_string(v6.sin6_scope_id);
    endpoint.port = ntohs(v6.sin6_port);
  } else if (storage.ss_family == AF_UNIX) {
    endpoint.address = UnixName(storage, address.length);
    endpoint.port = -1;
  }
  return endpoint;
}

}  // namespace winsock::platform
