// The constants JavaScript sees, with this OS's values (AF_INET6 is 23 on Windows, 10 on Linux, 30 on macOS).
#include "platform.h"
#include "system.h"
#include "wsa_errors.h"

namespace winsock::platform {

void ForEachConstant(const std::function<void(const char*, std::int64_t)>& add) {
#define WINSOCK_CONSTANT(name) add(#name, name);
  WINSOCK_CONSTANT(AF_UNSPEC)
  WINSOCK_CONSTANT(AF_INET)
  WINSOCK_CONSTANT(AF_INET6)
  WINSOCK_CONSTANT(SOCK_STREAM)
  WINSOCK_CONSTANT(SOCK_DGRAM)
  WINSOCK_CONSTANT(SOCK_RAW)
  WINSOCK_CONSTANT(IPPROTO_IP)
  WINSOCK_CONSTANT(IPPROTO_IPV6)
  WINSOCK_CONSTANT(IPPROTO_ICMP)
  WINSOCK_CONSTANT(IPPROTO_TCP)
  WINSOCK_CONSTANT(IPPROTO_UDP)
  WINSOCK_CONSTANT(AI_PASSIVE)
  WINSOCK_CONSTANT(AI_CANONNAME)
  WINSOCK_CONSTANT(AI_NUMERICHOST)
  WINSOCK_CONSTANT(AI_NUMERICSERV)
  WINSOCK_CONSTANT(AI_ADDRCONFIG)
  WINSOCK_CONSTANT(AI_V4MAPPED)
  WINSOCK_CONSTANT(AI_ALL)
  WINSOCK_CONSTANT(SOMAXCONN)
  WINSOCK_CONSTANT(MSG_OOB)
  WINSOCK_CONSTANT(MSG_PEEK)
  WINSOCK_CONSTANT(MSG_DONTROUTE)
  WINSOCK_CONSTANT(MSG_WAITALL)
  WINSOCK_CONSTANT(SD_RECEIVE)
  WINSOCK_CONSTANT(SD_SEND)
  WINSOCK_CONSTANT(SD_BOTH)
  WINSOCK_CONSTANT(SOL_SOCKET)
  WINSOCK_CONSTANT(SO_REUSEADDR)
  WINSOCK_CONSTANT(SO_KEEPALIVE)
  WINSOCK_CONSTANT(SO_BROADCAST)
  WINSOCK_CONSTANT(SO_LINGER)
  WINSOCK_CONSTANT(SO_RCVBUF)
  WINSOCK_CONSTANT(SO_SNDBUF)
  WINSOCK_CONSTANT(SO_ERROR)
  WINSOCK_CONSTANT(SO_TYPE)
  WINSOCK_CONSTANT(TCP_NODELAY)
  WINSOCK_CONSTANT(IP_TTL)
  WINSOCK_CONSTANT(IPV6_V6ONLY)
  // Windows only: the option that stops another socket from binding the same port (there is no POSIX twin).
#ifdef SO_EXCLUSIVEADDRUSE
  WINSOCK_CONSTANT(SO_EXCLUSIVEADDRUSE)
#endif
#undef WINSOCK_CONSTANT
  static_assert(SD_RECEIVE == kShutdownReceive && SD_SEND == kShutdownSend && SD_BOTH == kShutdownBoth,
                "shutdown's how values");
  static_assert(SOCK_STREAM == kStreamSocket, "SOCK_STREAM");

#ifdef _WIN32
  // The Winsock headers are the reference: check that the numbers the rest of the addon uses agree with them.
#define WINSOCK_ERROR(name, number) \
  static_assert(name == number, #name);    \
  add(#name, name);
#else
  // POSIX has no Winsock numbers of its own: these are the numbers posix.cc translates errno into.
#define WINSOCK_ERROR(name, number) add(#name, number);
#endif
  WINSOCK_ERRORS(WINSOCK_ERROR)
#undef WINSOCK_ERROR
}

}  // namespace winsock::platform
