// Socket addresses between their text form and sockaddr, the same on Winsock and POSIX.
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
  }
  return endpoint;
}

}  // namespace winsock::platform
