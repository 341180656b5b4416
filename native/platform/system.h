// The OS socket headers, for the files of native/platform/ only. Winsock and BSD sockets share the sockaddr types,
// inet_pton/inet_ntop and most constants, so address.cc and constants.cc are written once over this header.
#pragma once

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mstcpip.h>
#include <mswsock.h>
#include <afunix.h>  // sockaddr_un, AF_UNIX streams (Windows 10 1803+)
// Older MinGW-w64 headers lack these <ws2ipdef.h> TCP options (Windows 10's values).
#ifndef TCP_MAXRT
#define TCP_MAXRT 5
#endif
#ifndef TCP_KEEPCNT
#define TCP_KEEPCNT 16
#endif
#ifndef TCP_KEEPIDLE
#define TCP_KEEPIDLE 3
#endif
#ifndef TCP_KEEPINTVL
#define TCP_KEEPINTVL 17
#endif
// Older MinGW-w64 headers lack these WSAIoctl codes of <mstcpip.h>.
#ifndef SIO_UDP_CONNRESET
#define SIO_UDP_CONNRESET _WSAIOW(IOC_VENDOR, 12)
#endif
#ifndef SIO_LOOPBACK_FAST_PATH
#define SIO_LOOPBACK_FAST_PATH _WSAIOW(IOC_VENDOR, 16)
#endif
#else
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <poll.h>
#include <sys/ioctl.h>
// Winsock's names for shutdown's `how`, with the values POSIX gives them.
#define SD_RECEIVE SHUT_RD
#define SD_SEND SHUT_WR
#define SD_BOTH SHUT_RDWR
// Winsock's WSAIoctl codes (_WSAIOW(IOC_VENDOR, n) in <mstcpip.h>), which the POSIX build emulates or refuses.
#define SIO_KEEPALIVE_VALS 0x98000004u
#define SIO_UDP_CONNRESET 0x9800000Cu
#define SIO_LOOPBACK_FAST_PATH 0x98000010u
#endif
