#include "packet_info.h"

#include <cstring>

namespace winsock::platform {
namespace {

template <typename SockAddr>
PacketInfo Stored(const SockAddr& local, std::uint32_t interface_index) {
  PacketInfo info;
  std::memcpy(info.local.storage, &local, sizeof local);
  info.local.length = sizeof local;
  info.interface_index = interface_index;
  info.present = true;
  return info;
}

sockaddr_storage StorageOf(const PacketInfo& info) {
  sockaddr_storage storage{};
  std::memcpy(&storage, info.local.storage, sizeof storage);
  return storage;
}

}  // namespace

PacketInfo PacketInfoFrom(const in_addr& destination, std::uint32_t interface_index) {
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr = destination;
  return Stored(local, interface_index);
}

PacketInfo PacketInfoFrom(const in6_addr& destination, std::uint32_t interface_index) {
  sockaddr_in6 local{};
  local.sin6_family = AF_INET6;
  local.sin6_addr = destination;
  return Stored(local, interface_index);
}

bool IsIPv6(const PacketInfo& info) { return StorageOf(info).ss_family == AF_INET6; }

in_addr SourceAddress4(const PacketInfo& info) {
  const sockaddr_storage storage = StorageOf(info);
  return reinterpret_cast<const sockaddr_in&>(storage).sin_addr;
}

in6_addr SourceAddress6(const PacketInfo& info) {
  const sockaddr_storage storage = StorageOf(info);
  return reinterpret_cast<const sockaddr_in6&>(storage).sin6_addr;
}

}  // namespace winsock::platform
