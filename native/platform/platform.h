// The small OS interface the rest of the addon is written against.
//
// win.cc implements it with Ws2_32, posix.cc with BSD sockets; binding.gyp (and CMakeLists.txt) compile exactly
// one of them. Nothing above this header knows SOCKET, int fds, errno or WSAGetLastError: every failure comes back
// as a Winsock error number (the same number on every OS), captured right after the failing OS call.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace winsock::platform {

// A socket as the OS knows it: SOCKET (UINT_PTR) on Windows, an int fd elsewhere. Both fit in an intptr_t, and
// INVALID_SOCKET (~0) and -1 are the same value there.
using NativeSocket = std::intptr_t;
inline constexpr NativeSocket kInvalidSocket = -1;

// Winsock error numbers the platform-free code raises itself. They are Winsock's values on every OS; win.cc checks
// them against <winsock2.h> at compile time.
namespace wsa {
inline constexpr int kInterrupted = 10004;          // WSAEINTR
inline constexpr int kInvalidArgument = 10022;      // WSAEINVAL
inline constexpr int kWouldBlock = 10035;           // WSAEWOULDBLOCK
inline constexpr int kNotSocket = 10038;            // WSAENOTSOCK
inline constexpr int kNoBufferSpace = 10055;        // WSAENOBUFS
inline constexpr int kNotConnected = 10057;         // WSAENOTCONN
inline constexpr int kShutDown = 10058;             // WSAESHUTDOWN
inline constexpr int kSocketTypeNotSupported = 10044;     // WSAESOCKTNOSUPPORT
inline constexpr int kAddressFamilyNotSupported = 10047;  // WSAEAFNOSUPPORT
inline constexpr int kVersionNotSupported = 10092;  // WSAVERNOTSUPPORTED
inline constexpr int kNotInitialised = 10093;       // WSANOTINITIALISED
}  // namespace wsa

// shutdown()'s `how`: SD_RECEIVE, SD_SEND, SD_BOTH in Winsock, with the same values as SHUT_RD/WR/RDWR in POSIX.
inline constexpr int kShutdownReceive = 0;
inline constexpr int kShutdownSend = 1;
inline constexpr int kShutdownBoth = 2;

// SOCK_STREAM: 1 in Winsock, Linux and macOS alike.
inline constexpr int kStreamSocket = 1;

// The outcome of one OS call: a value, or the Winsock error number it failed with (error != 0).
template <typename T>
struct Result {
  T value{};
  int error = 0;
  bool ok() const { return error == 0; }
};

template <typename T>
Result<T> Ok(T value) {
  Result<T> result;
  result.value = std::move(value);
  return result;
}

template <typename T>
Result<T> Fail(int error) {
  Result<T> result;
  result.error = error;
  return result;
}

// An IPv4 or IPv6 socket address, held opaquely (a sockaddr_storage inside the platform files).
struct SocketAddress {
  alignas(8) unsigned char storage[128] = {};
  int length = 0;
};

// A socket address in the form JavaScript sees it.
struct Endpoint {
  int family = 0;
  std::string address;
  int port = 0;
};

struct StartupInfo {
  std::string version;       // "2.2": the version in use (WSADATA.wVersion)
  std::string highVersion;   // the highest version the implementation supports (WSADATA.wHighVersion)
  std::string description;   // WSADATA.szDescription
  std::string systemStatus;  // WSADATA.szSystemStatus
};

struct AddressInfoHints {
  int flags = 0;
  int family = 0;
  int socktype = 0;
  int protocol = 0;
};

struct AddressInfo {
  int flags = 0;
  int family = 0;
  int socktype = 0;
  int protocol = 0;
  std::string canonname;  // set on the first entry only, when AI_CANONNAME was asked for
  Endpoint endpoint;
};

// Startup/Cleanup bracket the process's use of the OS socket library (WSAStartup/WSACleanup on Windows, nothing
// elsewhere). `requested` is a Winsock version word (MAKEWORD(2, 2) == 0x0202).
Result<StartupInfo> Startup(std::uint16_t requested);
int Cleanup();

Result<NativeSocket> OpenSocket(int family, int type, int protocol);
int CloseSocket(NativeSocket s);
int Bind(NativeSocket s, const SocketAddress& address);
int Listen(NativeSocket s, int backlog);
// `peer` receives the address of the accepted connection.
Result<NativeSocket> Accept(NativeSocket s, SocketAddress* peer);
int Connect(NativeSocket s, const SocketAddress& address);
// Send never raises SIGPIPE: a write to a reset peer fails with WSAECONNRESET (or WSAESHUTDOWN) instead.
Result<std::size_t> Send(NativeSocket s, const void* data, std::size_t length, int flags);
Result<std::size_t> Recv(NativeSocket s, void* data, std::size_t length, int flags);
int Shutdown(NativeSocket s, int how);
// setsockopt/getsockopt with the option's bytes as the OS takes them. GetOption returns the length written.
int SetOption(NativeSocket s, int level, int name, const void* value, std::size_t length);
Result<std::size_t> GetOption(NativeSocket s, int level, int name, void* value, std::size_t length);
// The pending error of a socket (getsockopt SO_ERROR), which is how a nonblocking connect reports its outcome.
Result<int> TakeSocketError(NativeSocket s);
Result<SocketAddress> GetSockName(NativeSocket s);
Result<SocketAddress> GetPeerName(NativeSocket s);

// Name resolution, getaddrinfo (named so that no Windows header macro renames it). `node`/`service` are UTF-8;
// an absent one is passed to the OS as NULL.
Result<std::vector<AddressInfo>> GetAddressInfo(const std::string* node, const std::string* service,
                                             const AddressInfoHints& hints);

// Parses a numeric IPv4/IPv6 address (an IPv6 one may carry a %scope id). Fails with WSAEINVAL when `address` is
// not numeric, or WSAEAFNOSUPPORT when `family` is given (non-zero) and does not match.
Result<SocketAddress> MakeAddress(int family, const std::string& address, int port);
Endpoint DescribeAddress(const SocketAddress& address);

// Calls `add(name, value)` for every constant this OS defines (AF_*, SOCK_*, IPPROTO_*, AI_*, SD_*, MSG_*, the
// WSA error numbers, SOMAXCONN, INVALID_SOCKET is not one of them: sockets are objects in JavaScript).
void ForEachConstant(const std::function<void(const char* name, std::int64_t value)>& add);

}  // namespace winsock::platform
