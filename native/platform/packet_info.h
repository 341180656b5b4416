// PacketInfo to and from the pktinfo control messages' addresses, for posix.cc and win.cc (their messages differ,
// the addresses do not).
#pragma once

#include "platform.h"
#include "system.h"

namespace winsock::platform {

// A received datagram's destination address and interface.
PacketInfo PacketInfoFrom(const in_addr& destination, std::uint32_t interface_index);
PacketInfo PacketInfoFrom(const in6_addr& destination, std::uint32_t interface_index);

// The source address a datagram is to be sent from: `info.local` as IPv4 or IPv6.
bool IsIPv6(const PacketInfo& info);
in_addr SourceAddress4(const PacketInfo& info);
in6_addr SourceAddress6(const PacketInfo& info);

}  // namespace winsock::platform
