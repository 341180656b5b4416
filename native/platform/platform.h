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

// Winsock error numbers the platform-free code raises itself: Winsock's values on every OS (wsa_errors.h lists them
// all, and constants.cc checks that list against <winsock2.h> in the Windows build).
namespace wsa {
inline constexpr int kInterrupted = 10004;                // WSAEINTR
inline constexpr int kFault = 10014;                      // WSAEFAULT
inline constexpr int kInvalidArgument = 10022;            // WSAEINVAL
inline constexpr int kWouldBlock = 10035;                 // WSAEWOULDBLOCK
inline constexpr int kNotSocket = 10038;                  // WSAENOTSOCK
inline constexpr int kSocketTypeNotSupported = 10044;     // WSAESOCKTNOSUPPORT
inline constexpr int kOperationNotSupported = 10045;      // WSAEOPNOTSUPP
inline constexpr int kAddressFamilyNotSupported = 10047;  // WSAEAFNOSUPPORT
inline constexpr int kNoBufferSpace = 10055;              // WSAENOBUFS
inline constexpr int kNotConnected = 10057;               // WSAENOTCONN
inline constexpr int kShutDown = 10058;                   // WSAESHUTDOWN
inline constexpr int kConnectionRefused = 10061;          // WSAECONNREFUSED
inline constexpr int kVersionNotSupported = 10092;        // WSAVERNOTSUPPORTED
inline constexpr int kNotInitialised = 10093;             // WSANOTINITIALISED
}  // namespace wsa

// shutdown()'s `how`: SD_RECEIVE, SD_SEND, SD_BOTH in Winsock, with the same values as SHUT_RD/WR/RDWR in POSIX.
inline constexpr int kShutdownReceive = 0;
inline constexpr int kShutdownSend = 1;
inline constexpr int kShutdownBoth = 2;

// SOCK_STREAM: 1 in Winsock, Linux and macOS alike.
inline constexpr int kStreamSocket = 1;
// AF_UNIX: 1 in Winsock (afunix.h), Linux and macOS alike.
inline constexpr int kUnixFamily = 1;

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

// An IPv4, IPv6 or AF_UNIX socket address, held opaquely (a sockaddr_storage inside the platform files). `length`
// never exceeds sizeof storage: the platform files clamp what the kernel reports (POSIX reports the full length of
// an address that did not fit).
struct SocketAddress {
  alignas(8) unsigned char storage[128] = {};
  int length = 0;
};

// The rule for every length, count or index the OS reports back: it is used only up to the memory the addon owns.
// A kernel may report more than it wrote (Linux's MSG_TRUNC gives a datagram's real length, NETLINK_LIST_MEMBERSHIPS
// the length it needed); this is where such a number stops. docs/reliability.md lists every place it is applied.
inline std::size_t Bounded(std::size_t reported, std::size_t owned) { return reported < owned ? reported : owned; }
// An address length the OS reported, within SocketAddress::storage.
inline int BoundedAddressLength(long long reported) {
  constexpr long long kCapacity = sizeof(SocketAddress::storage);
  return static_cast<int>(reported < 0 ? 0 : reported < kCapacity ? reported : kCapacity);
}

// A socket address in the form JavaScript sees it. An AF_UNIX address has its path in `address` and port -1 (no
// port: error messages show none, JavaScript sees 0).
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
// Recv for a SOCK_STREAM socket, the same outcome for less: POSIX skips recvmsg's message header (which reports a
// datagram cut short) where no flag is set, as a stream's receive is never cut short.
Result<std::size_t> RecvStream(NativeSocket s, void* data, std::size_t length, int flags);
// Send, Recv and RecvStream for the try* calls, which never block: POSIX passes MSG_DONTWAIT, as the socket their
// watcher made nonblocking (SocketHandle::MakeNonBlocking) can be made blocking again through another descriptor of
// it (fromShare), and a try that blocked held the event loop for ever. No room or nothing to read is WSAEWOULDBLOCK,
// never WSAETIMEDOUT (SO_SNDTIMEO and SO_RCVTIMEO are for blocking calls). For TryRecvStream `connected`, a stream
// known to be connected: that at once, where Recv asks POSIX's kernel whether a connect is still under way
// (WSAENOTCONN), a getpeername on every wait. Windows: the calls themselves (Winsock has no MSG_DONTWAIT).
Result<std::size_t> TrySend(NativeSocket s, const void* data, std::size_t length, int flags);
Result<std::size_t> TryRecv(NativeSocket s, void* data, std::size_t length, int flags);
Result<std::size_t> TryRecvStream(NativeSocket s, void* data, std::size_t length, int flags, bool connected);
int Shutdown(NativeSocket s, int how);
// setsockopt/getsockopt with the option's bytes as the OS takes them. GetOption returns the length written.
int SetOption(NativeSocket s, int level, int name, const void* value, std::size_t length);
Result<std::size_t> GetOption(NativeSocket s, int level, int name, void* value, std::size_t length);
// SO_TYPE: SOCK_STREAM, SOCK_DGRAM, ...
Result<int> GetSocketType(NativeSocket s);
// The pending error of a socket (getsockopt SO_ERROR), which is how a nonblocking connect reports its outcome.
Result<int> TakeSocketError(NativeSocket s);
// True once a nonblocking connect is over, succeeded or failed: the socket is writable or has failed (a zero-timeout
// poll). A socket still connecting is neither, so a socket that is over yet has no peer has failed, even after
// another call (a recv, getsockopt SO_ERROR) took the error SO_ERROR held.
Result<bool> ConnectIsOver(NativeSocket s);
Result<SocketAddress> GetSockName(NativeSocket s);
Result<SocketAddress> GetPeerName(NativeSocket s);

// Datagrams: sendto/recvfrom. `from` receives the sender's address.
Result<std::size_t> SendTo(NativeSocket s, const void* data, std::size_t length, int flags, const SocketAddress& to);
Result<std::size_t> RecvFrom(NativeSocket s, void* data, std::size_t length, int flags, SocketAddress* from);

// Options whose C types differ between Winsock and POSIX, in one vocabulary (options.cc, shared).
// SO_RCVTIMEO/SO_SNDTIMEO in milliseconds, as Winsock's DWORD (a struct timeval on POSIX).
int SetTimeoutOption(NativeSocket s, int name, std::uint32_t milliseconds);
Result<std::uint32_t> GetTimeoutOption(NativeSocket s, int name);
struct Linger {
  bool on = false;
  int seconds = 0;
};
int SetLinger(NativeSocket s, const Linger& linger);
Result<Linger> GetLinger(NativeSocket s);
// IP_ADD/DROP_MEMBERSHIP (interface: a local IPv4 address, "" for any) and IPV6_JOIN/LEAVE_GROUP (interface: an
// index). Fails with WSAEINVAL for a group that is not a numeric address of the option's family.
int SetMembership(NativeSocket s, int level, int name, const std::string& group, const std::string& interface_address,
                  std::uint32_t interface_index);
// IP_MULTICAST_IF: the IPv4 address of the interface multicast leaves from.
int SetMulticastInterface4(NativeSocket s, const std::string& interface_address);

// Whether the event loop can wait for priority (out-of-band) data and error conditions alone: libuv maps
// UV_PRIORITIZED to POLLPRI on POSIX, but not on Windows, where such waits poll at a bounded rate instead.
bool CanWatchPriorityData();

// ioctlsocket's FIONBIO and FIONREAD: the argument in, the argument out.
Result<std::uint32_t> IoctlSocket(NativeSocket s, long command, std::uint32_t argument);
bool IsNonBlockingIoctl(long command);  // FIONBIO
// The commands ioctlsocket supports: FIONBIO, FIONREAD, SIOCATMARK. Any other could write more than the one
// u_long the call passes, so it is refused before it reaches the OS.
bool IsSupportedIoctl(long command);
// WSAIoctl SIO_KEEPALIVE_VALS (POSIX: SO_KEEPALIVE with TCP_KEEPIDLE/TCP_KEEPINTVL, rounded up to seconds).
int SetKeepAliveValues(NativeSocket s, bool on, std::uint32_t time_ms, std::uint32_t interval_ms);
// WSAIoctl with one BOOL in and nothing out (SIO_LOOPBACK_FAST_PATH, SIO_UDP_CONNRESET). POSIX emulates what it can
// and fails with WSAEOPNOTSUPP otherwise (posix.cc says which).
int BooleanIoctl(NativeSocket s, std::uint32_t code, bool value);

// IP_TOS (IPv4) or IPV6_TCLASS (IPv6). Windows ignores IP_TOS set through setsockopt (only the QoS API sets the
// DSCP), so win.cc fails with WSAEOPNOTSUPP instead of pretending.
int SetTrafficClass(NativeSocket s, int family, int value);
Result<int> GetTrafficClass(NativeSocket s, int family);
// TCP dead-peer timeout: TCP_USER_TIMEOUT in ms (Linux), TCP_MAXRT in seconds (Windows, rounded up);
// WSAENOPROTOOPT where neither exists.
int SetUserTimeout(NativeSocket s, std::uint32_t milliseconds);
Result<std::uint32_t> GetUserTimeout(NativeSocket s);

// Moving a socket to another process: WSADuplicateSocketW's WSAPROTOCOL_INFOW on Windows; (pid, descriptor) on
// Linux, taken by the receiver with pidfd_getfd; WSAEOPNOTSUPP elsewhere.
Result<std::vector<std::uint8_t>> ShareSocket(NativeSocket s, std::uint32_t pid);
Result<NativeSocket> SocketFromShare(const std::uint8_t* blob, std::size_t length);

// Passing a socket to another process over a Unix-domain socket (SCM_RIGHTS), for POSIX systems where no blob can
// carry a descriptor. ReceiveSocket listens on `path`, takes one descriptor from the first process to connect and
// removes the path; SendSocket connects to it. Both give up with WSAETIMEDOUT after `timeout_ms`, and refuse a peer
// that runs as another user with WSAEACCES. Windows: WSAEOPNOTSUPP (ShareSocket is its way).
Result<NativeSocket> ReceiveSocket(const std::string& path, std::uint32_t timeout_ms);
int SendSocket(const std::string& path, NativeSocket s, std::uint32_t timeout_ms);

// Packet info (IP_PKTINFO / IPV6_PKTINFO): the local address a datagram was sent to and the interface it came in
// on; when sending, the source address and interface to use.
struct PacketInfo {
  bool present = false;
  SocketAddress local;  // port 0
  std::uint32_t interface_index = 0;
};
int EnablePacketInfo(NativeSocket s, int family);
Result<std::size_t> RecvMsg(NativeSocket s, void* data, std::size_t length, int flags, SocketAddress* from,
                            PacketInfo* info);
Result<std::size_t> SendMsg(NativeSocket s, const void* data, std::size_t length, int flags, const SocketAddress& to,
                            const PacketInfo& info);

// WSAPoll / poll(2): events and revents in the OS's POLL* bits.
struct PollEntry {
  NativeSocket socket = kInvalidSocket;
  short events = 0;
  short revents = 0;
};
Result<int> Poll(std::vector<PollEntry>& entries, int timeout_ms);
// select(): each set keeps the sockets that are ready. timeout_ms < 0 waits without limit. Winsock's fd_set holds
// FD_SETSIZE (64) sockets: more is WSAEINVAL there; the POSIX build runs over poll(2), which has no such limit.
struct SelectSets {
  std::vector<NativeSocket> read, write, except;
};
Result<int> Select(SelectSets& sets, int timeout_ms);

// getnameinfo (NI_* flags) and gethostname, UTF-8.
struct NameInfo {
  std::string host;
  std::string service;
};
Result<NameInfo> GetNameInfo(const SocketAddress& address, int flags);
Result<std::string> GetHostName();

// inet_pton / inet_ntop: `family` AF_INET (4 bytes) or AF_INET6 (16 bytes). WSAEAFNOSUPPORT for another family,
// WSAEINVAL for text that is not an address of the family.
Result<std::vector<std::uint8_t>> ParseNumeric(int family, const std::string& text);
Result<std::string> FormatNumeric(int family, const std::uint8_t* bytes, std::size_t length);

// Name resolution, getaddrinfo (named so that no Windows header macro renames it). `node`/`service` are UTF-8;
// an absent one is passed to the OS as NULL.
Result<std::vector<AddressInfo>> GetAddressInfo(const std::string* node, const std::string* service,
                                             const AddressInfoHints& hints);

// Parses a numeric IPv4/IPv6 address (an IPv6 one may carry a %scope id). Fails with WSAEINVAL when `address` is
// not numeric, or WSAEAFNOSUPPORT when `family` is given (non-zero) and does not match.
Result<SocketAddress> MakeAddress(int family, const std::string& address, int port);
// An AF_UNIX address: a path, or on Linux an abstract name (a leading NUL byte). sun_path holds 108 bytes on Windows
// and Linux (104 on macOS) with a path's terminating NUL: a longer path, or an empty one, fails with WSAEINVAL.
Result<SocketAddress> MakeUnixAddress(const std::string& path);
Endpoint DescribeAddress(const SocketAddress& address);

// Calls `add(name, value)` for every constant this OS defines (AF_*, SOCK_*, IPPROTO_*, AI_*, SD_*, MSG_*, the
// WSA error numbers, SOMAXCONN, INVALID_SOCKET is not one of them: sockets are objects in JavaScript).
void ForEachConstant(const std::function<void(const char* name, std::int64_t value)>& add);

}  // namespace winsock::platform
