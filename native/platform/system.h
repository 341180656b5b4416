// The OS socket headers, for the files of native/platform/ only. Winsock and BSD sockets share the sockaddr types,
// inet_pton/inet_ntop and most constants, so address.cc and constants.cc are written once over this header.
#pragma once

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/types.h>
// Winsock's names for shutdown's `how`, with the values POSIX gives them.
#define SD_RECEIVE SHUT_RD
#define SD_SEND SHUT_WR
#define SD_BOTH SHUT_RDWR
#endif
