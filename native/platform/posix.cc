// The platform interface over BSD sockets (Linux, macOS). Every errno and EAI_* code is translated to its Winsock
// number here and nowhere else, so the layers above see one error vocabulary on every OS.
// macOS declares IPV6_RECVPKTINFO and struct in6_pktinfo only with this (RFC 3542).
#define __APPLE_USE_RFC_3542 1

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <chrono>
#include <cstring>

#include "packet_info.h"
#include "platform.h"
#include "posix_addrinfo.h"
#include "posix_errors.h"
#include "posix_state.h"
#include "system.h"

namespace winsock::platform {

// errno -> Winsock, as libuv's src/win/error.c maps the other way. An errno with no Winsock twin becomes WSAEINVAL.
int posix::FromErrno(int error) {
  switch (error) {
    case 0: return 0;
    case EINTR: return 10004;           // WSAEINTR
    case EBADF: return 10038;           // Winsock reports an invalid SOCKET as WSAENOTSOCK
    case EACCES:
    case EPERM: return 10013;           // WSAEACCES
    case EFAULT: return 10014;          // WSAEFAULT
    case EINVAL: return 10022;          // WSAEINVAL
    case EMFILE:
    case ENFILE: return 10024;          // WSAEMFILE
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EAGAIN: return 10035;          // WSAEWOULDBLOCK
    case EINPROGRESS: return 10036;     // WSAEINPROGRESS
    case EALREADY: return 10037;        // WSAEALREADY
    case ENOTSOCK: return 10038;        // WSAENOTSOCK
    case EDESTADDRREQ: return 10039;    // WSAEDESTADDRREQ
    case EMSGSIZE: return 10040;        // WSAEMSGSIZE
    case EPROTOTYPE: return 10041;      // WSAEPROTOTYPE
    case ENOPROTOOPT: return 10042;     // WSAENOPROTOOPT
    case EPROTONOSUPPORT: return 10043; // WSAEPROTONOSUPPORT
    case ESOCKTNOSUPPORT: return 10044; // WSAESOCKTNOSUPPORT
#if defined(ENOTSUP) && ENOTSUP != EOPNOTSUPP
    case ENOTSUP:
#endif
    case EOPNOTSUPP: return 10045;      // WSAEOPNOTSUPP
    case EPFNOSUPPORT: return 10046;    // WSAEPFNOSUPPORT
    case EAFNOSUPPORT: return 10047;    // WSAEAFNOSUPPORT
    case EADDRINUSE: return 10048;      // WSAEADDRINUSE
    case EADDRNOTAVAIL: return 10049;   // WSAEADDRNOTAVAIL
    case ENETDOWN: return 10050;        // WSAENETDOWN
    case ENETUNREACH: return 10051;     // WSAENETUNREACH
    case ENETRESET: return 10052;       // WSAENETRESET
    case ECONNABORTED: return 10053;    // WSAECONNABORTED
    case ECONNRESET:
    case EPIPE: return 10054;           // WSAECONNRESET: Winsock has no EPIPE; a write to a reset peer fails so
    case ENOBUFS:
    case ENOMEM: return 10055;          // WSAENOBUFS
    case EISCONN: return 10056;         // WSAEISCONN
    case ENOTCONN: return 10057;        // WSAENOTCONN
    case ESHUTDOWN: return 10058;       // WSAESHUTDOWN
    case ETOOMANYREFS: return 10059;    // WSAETOOMANYREFS
    case ETIMEDOUT: return 10060;       // WSAETIMEDOUT
    case ECONNREFUSED: return 10061;    // WSAECONNREFUSED
    case ELOOP: return 10062;           // WSAELOOP
    case ENAMETOOLONG: return 10063;    // WSAENAMETOOLONG
    case EHOSTDOWN: return 10064;       // WSAEHOSTDOWN
    case EHOSTUNREACH: return 10065;    // WSAEHOSTUNREACH
    case ENOTEMPTY: return 10066;       // WSAENOTEMPTY
    case EDQUOT: return 10069;          // WSAEDQUOT
    case ESTALE: return 10070;          // WSAESTALE
    default: return 10022;              // WSAEINVAL
  }
}

namespace {

using posix::FromErrno;

// Writes `value` as the only control message in `control` (sized and aligned for it); returns the control length.
template <typename T>
socklen_t PutControlMessage(unsigned char* control, int level, int type, const T& value) {
  cmsghdr* header = reinterpret_cast<cmsghdr*>(control);
  header->cmsg_level = level;
  header->cmsg_type = type;
  header->cmsg_len = CMSG_LEN(sizeof value);
  std::memcpy(CMSG_DATA(header), &value, sizeof value);
  return static_cast<socklen_t>(CMSG_SPACE(sizeof value));
}

int LastError() { return FromErrno(errno); }

// The error of a send/recv/accept that could not complete. On a blocking socket, POSIX reports the end of an
// SO_RCVTIMEO/SO_SNDTIMEO wait as EAGAIN; Winsock reports it as WSAETIMEDOUT. On a connected UDP socket, Linux
// reports an ICMP "port unreachable" for an earlier datagram as ECONNREFUSED; Winsock as WSAECONNRESET ("for a UDP
// datagram socket, ... a previous send operation resulted in an ICMP Port Unreachable message": recv, send).
// `dont_wait`: the call was made with MSG_DONTWAIT, so its EAGAIN is "would block" whatever the socket's mode.
int TransferError(int fd, bool dont_wait = false) {
  const int error = errno;
  if (!dont_wait && (error == EAGAIN || error == EWOULDBLOCK)) {
    const int flags = fcntl(fd, F_GETFL);
    if (flags != -1 && (flags & O_NONBLOCK) == 0) return 10060;  // WSAETIMEDOUT
  }
  if (error == ECONNREFUSED && posix::SocketType(fd) == SOCK_DGRAM) return 10054;  // WSAECONNRESET
  return FromErrno(error);
}

using posix::IsListening;
using posix::SocketType;

// The port a socket is bound to (0: never bound).
int BoundPort(int fd) {
  sockaddr_storage local{};
  socklen_t length = sizeof local;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length) == -1) return -1;
  if (local.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in&>(local).sin_port);
  if (local.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6&>(local).sin6_port);
  return -1;  // another family (AF_UNIX): not Winsock's concern
}

// The error of a receive that found nothing to read, as Winsock gives it: a TCP socket whose connect is under way
// is not connected (WSAENOTCONN, where Linux says EAGAIN), and a UDP socket never bound cannot receive (WSAEINVAL).
// Asked only on that path, so a receive that reads pays nothing.
int NothingToReadError(int fd, bool dont_wait = false) {
  const int error = TransferError(fd, dont_wait);
  if (error != 10035) return error;  // not WSAEWOULDBLOCK
  sockaddr_storage peer{};
  socklen_t length = sizeof peer;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) == 0) return error;
  const int type = SocketType(fd);
  if (type == SOCK_STREAM && !IsListening(fd)) return wsa::kNotConnected;
  if (type == SOCK_DGRAM && BoundPort(fd) == 0) return wsa::kInvalidArgument;
  return error;
}

// The receive flags Winsock defines (MSG_OOB, MSG_PEEK, MSG_WAITALL), in this OS's values. Any other bit means
// something else here than in Winsock: Linux's MSG_TRUNC (0x20, Winsock's MSG_PUSH_IMMEDIATE) makes recv report a
// datagram's full length instead of what it copied, MSG_DONTWAIT (0x40, Winsock's MSG_INTERRUPT) changes blocking.
// Such a flag is refused as Winsock refuses a flag it does not support on a socket.
constexpr int kReceiveFlags = MSG_OOB | MSG_PEEK | MSG_WAITALL;
bool IsReceiveFlags(int flags) { return (flags & ~kReceiveFlags) == 0; }

// How a receive may wait. A try* call (the promises API) must never block, whatever mode the socket is in now:
// O_NONBLOCK belongs to the open file description, which another descriptor of the same socket shares (fromShare in
// this process, or the process it was shared with), and an ioctlsocket(FIONBIO, 0) through that one made a waiting
// call's next try block the event loop for ever (test/conformance/attack-try-calls.test.ts). MSG_DONTWAIT makes
// each try nonblocking by itself, at no cost. kNeverSettled: also known to be a connected stream, so EAGAIN needs no
// look at it.
enum class Waiting { kMayBlock, kNever, kNeverSettled };

constexpr int DontWaitFlag(Waiting waiting) { return waiting == Waiting::kMayBlock ? 0 : MSG_DONTWAIT; }

// recvmsg, again when a signal interrupted it.
ssize_t RetryInterrupted(int fd, msghdr* message, int flags) {
  ssize_t received;
  do {
    received = recvmsg(fd, message, flags);
  } while (received == -1 && errno == EINTR);
  return received;
}

// recv with no flags but `os_flags` (MSG_DONTWAIT), again when a signal interrupted it.
ssize_t RetryInterrupted(int fd, void* data, std::size_t length, int os_flags) {
  ssize_t received;
  do {
    received = recv(fd, data, length, os_flags);
  } while (received == -1 && errno == EINTR);
  return received;
}

// The outcome of a receive whose first try returned `received`, with Winsock's errors: the kernel's byte count, not
// yet bounded. `receive_once` (a recvmsg or recv) tries again where Winsock's answer needs it. `waiting`: how the
// receive was made (Waiting).
template <typename ReceiveOnce>
Result<std::size_t> ReceiveOutcome(int fd, ssize_t received, ReceiveOnce receive_once, Waiting waiting) {
  if (received == -1) {
    if (waiting == Waiting::kNeverSettled && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      return Fail<std::size_t>(wsa::kWouldBlock);
    }
    const bool dont_wait = waiting != Waiting::kMayBlock;
    const int error = NothingToReadError(fd, dont_wait);
    if (error != wsa::kNotConnected) return Fail<std::size_t>(error);
    // No peer name: a connect under way, or a connection that ended just after the receive looked (the peer's FIN
    // in FIN_WAIT_2 closes the socket at once, and a closed socket has no peer). A second receive tells them apart:
    // end of stream (0) for the one, nothing to read again for the other.
    received = receive_once();
    if (received == -1) return Fail<std::size_t>(NothingToReadError(fd, dont_wait));
  }
  return Ok(static_cast<std::size_t>(received));
}

// recvmsg for recv, recvfrom and WSARecvMsg: a datagram longer than the buffer is cut to it, as everywhere, and
// fails with WSAEMSGSIZE as Winsock's receive does (the bytes that fit are in the buffer). `from` may be null.
Result<std::size_t> ReceiveMessage(int fd, msghdr* message, int flags, Waiting waiting = Waiting::kMayBlock) {
  if (!IsReceiveFlags(flags)) return Fail<std::size_t>(wsa::kOperationNotSupported);
  const int os_flags = flags | DontWaitFlag(waiting);
  const auto receive_once = [fd, message, os_flags] { return RetryInterrupted(fd, message, os_flags); };
  const Result<std::size_t> received = ReceiveOutcome(fd, receive_once(), receive_once, waiting);
  if (!received.ok()) return received;
  if ((message->msg_flags & MSG_TRUNC) != 0) return Fail<std::size_t>(10040);  // WSAEMSGSIZE
  std::size_t owned = 0;
  for (std::size_t i = 0; i < static_cast<std::size_t>(message->msg_iovlen); ++i) owned += message->msg_iov[i].iov_len;
  return Ok(Bounded(received.value, owned));
}

// getaddrinfo's EAI_* codes -> the numbers GetAddrInfoW returns on Windows.
int FromAddrInfoError(int error, int saved_errno) {
  switch (error) {
    case 0: return 0;
    case EAI_NONAME: return 11001;      // WSAHOST_NOT_FOUND
    case EAI_AGAIN: return 11002;       // WSATRY_AGAIN
    case EAI_FAIL: return 11003;        // WSANO_RECOVERY
#ifdef EAI_NODATA
    case EAI_NODATA: return 11004;      // WSANO_DATA
#endif
#ifdef EAI_ADDRFAMILY
    case EAI_ADDRFAMILY: return 11004;  // WSANO_DATA: the host has no address of the family asked for
#endif
    case EAI_FAMILY: return 10047;      // WSAEAFNOSUPPORT
    case EAI_SOCKTYPE: return 10044;    // WSAESOCKTNOSUPPORT
    case EAI_SERVICE: return 10109;     // WSATYPE_NOT_FOUND
    case EAI_MEMORY: return 8;          // WSA_NOT_ENOUGH_MEMORY
    case EAI_BADFLAGS: return 10022;    // WSAEINVAL
    case EAI_SYSTEM: return FromErrno(saved_errno);
    default: return 11003;              // WSANO_RECOVERY
  }
}

// Sockets must never leak into child processes, and a write to a reset peer must fail with an error instead of
// raising SIGPIPE (Node ignores SIGPIPE, but other hosts of the addon may not).
void PrepareDescriptor(int fd) {
  int flags = fcntl(fd, F_GETFD);
  if (flags != -1) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
#ifdef SO_NOSIGPIPE
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &on, sizeof on);
#endif
}

// A connect error that reports an earlier connect's outcome: ECONNABORTED after a failure, or a failure a
// nonblocking socket reports at once (a new nonblocking connect only starts, EINPROGRESS).
bool IsStaleConnectOutcome(int fd, int error) {
  if (error == ECONNABORTED) return posix::Recall(fd).connect_failed;
  if (error != ECONNREFUSED && error != ETIMEDOUT && error != EHOSTUNREACH && error != ENETUNREACH) return false;
  const int flags = fcntl(fd, F_GETFL);
  return flags != -1 && (flags & O_NONBLOCK) != 0 && SocketType(fd) == SOCK_STREAM;
}

// Waits for a connect that a signal interrupted, and returns its outcome (SO_ERROR) as Winsock's blocking call would.
int FinishInterruptedConnect(int fd) {
  pollfd entry{fd, POLLOUT, 0};
  while (poll(&entry, 1, -1) == -1) {
    if (errno != EINTR) return LastError();
  }
  int pending = 0;
  socklen_t length = sizeof pending;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &pending, &length) == -1) return LastError();
  return FromErrno(pending);
}

// getsockopt options whose length the kernel counts in something other than bytes. Linux's SO_GET_FILTER takes and
// returns a count of 8-byte BPF instructions: passing a byte count would let it write 8 times the buffer.
#ifdef SO_GET_FILTER
Result<std::size_t> GetFilterOption(int fd, void* value, std::size_t length) {
  constexpr std::size_t kInstruction = 8;  // sizeof(struct sock_filter)
  auto instructions = static_cast<socklen_t>(length / kInstruction);
  if (instructions == 0) {
    // Too small for one instruction: ask only for the count (the kernel writes nothing when asked for 0).
    if (getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, nullptr, &instructions) == -1) return Fail<std::size_t>(LastError());
    if (instructions == 0) return Ok<std::size_t>(0);  // no filter attached
    return Fail<std::size_t>(wsa::kFault);             // Winsock's answer when optlen is too small
  }
  if (getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, value, &instructions) == -1) return Fail<std::size_t>(LastError());
  return Ok(Bounded(static_cast<std::size_t>(instructions) * kInstruction, length));
}
#endif

// setsockopt options whose value holds a pointer into the process (struct sock_fprog's filter, ipt_replace's
// counters, ebt_replace's entries): bytes from JavaScript would make the kernel read, or write, wherever they
// point. JavaScript cannot make a valid pointer, so such an option is refused before it reaches the kernel.
struct PointerOption {
  int level;
  int name;
};
constexpr PointerOption kPointerOptions[] = {
    {SOL_SOCKET, 26},     // SO_ATTACH_FILTER: struct sock_fprog
    {SOL_SOCKET, 51},     // SO_ATTACH_REUSEPORT_CBPF: struct sock_fprog
    {263, 22},            // SOL_PACKET, PACKET_FANOUT_DATA: struct sock_fprog
    {IPPROTO_IP, 64},     // IPT_SO_SET_REPLACE: struct ipt_replace (counters)
    {IPPROTO_IPV6, 64},   // IP6T_SO_SET_REPLACE: struct ip6t_replace (counters)
    {IPPROTO_IP, 96},     // ARPT_SO_SET_REPLACE: struct arpt_replace (counters)
    {IPPROTO_IP, 128},    // EBT_SO_SET_ENTRIES: struct ebt_replace (entries, counters)
    {IPPROTO_IP, 129},    // EBT_SO_SET_COUNTERS: struct ebt_replace (counters)
};
bool HoldsPointer(int level, int name) {
#if defined(__linux__)
  for (const PointerOption& option : kPointerOptions) {
    if (option.level == level && option.name == name) return true;
  }
#else
  (void)level;
  (void)name;
#endif
  return false;
}

// Options that make Linux queue errors or transmit timestamps on the socket's error queue (IP_RECVERR, IPV6_RECVERR,
// SO_TIMESTAMPING and its _NEW twin). Winsock has no way to read that queue (MSG_ERRQUEUE is refused), and while it
// holds anything poll reports POLLERR, which a receive that finds nothing cannot clear: every wait for readability
// then woke at once, for ever (an async recvfrom after one ICMP port unreachable ran the event loop at utilisation
// 1.000 until its timeout; test/conformance/attack-native-lengths.test.ts). Refused as Winsock refuses an option it
// does not know.
bool FillsErrorQueue(int level, int name) {
#if defined(__linux__)
  if (level == IPPROTO_IP && name == IP_RECVERR) return true;
  if (level == IPPROTO_IPV6 && name == IPV6_RECVERR) return true;
  if (level == SOL_SOCKET && name == SO_TIMESTAMPING) return true;
#ifdef SO_TIMESTAMPING_OLD
  if (level == SOL_SOCKET && name == SO_TIMESTAMPING_OLD) return true;
#endif
#ifdef SO_TIMESTAMPING_NEW
  if (level == SOL_SOCKET && name == SO_TIMESTAMPING_NEW) return true;
#endif
#else
  (void)level;
  (void)name;
#endif
  return false;
}

#ifdef MSG_NOSIGNAL
constexpr int kSendFlags = MSG_NOSIGNAL;
#else
constexpr int kSendFlags = 0;  // SO_NOSIGPIPE, set in PrepareDescriptor, does the same job
#endif

// The send flags Winsock defines that this OS has too (MSG_OOB, MSG_DONTROUTE), in this OS's values. Windows refuses
// a receive flag on a send with WSAEOPNOTSUPP (MSG_WAITALL, MSG_PEEK); any other bit is Linux's own here, never the
// caller's to set: 0x8000 (Winsock's MSG_PARTIAL) is MSG_MORE, which holds the data back, 0x4000 MSG_NOSIGNAL (ours
// to add), 0x800 MSG_CONFIRM, 0x80 MSG_EOR, 0x40 MSG_DONTWAIT. Refused as a transport refuses MSG_PARTIAL.
constexpr int kCallerSendFlags = MSG_OOB | MSG_DONTROUTE;
bool IsSendFlags(int flags) { return (flags & ~kCallerSendFlags) == 0; }

}  // namespace

Result<StartupInfo> Startup(std::uint16_t requested) {
  // WSAStartup's negotiation: versions below 1.0 are refused, anything above 2.2 is answered with 2.2.
  const int major = requested & 0xff;
  const int minor = (requested >> 8) & 0xff;
  if (major < 1) return Fail<StartupInfo>(wsa::kVersionNotSupported);
  // Windows answers 1.x above 1.1 with 1.1, and anything above 2.2 with 2.2 (protocol.c test_startup in Wine's tests).
  int use_major = major, use_minor = minor;
  if (major == 1 && minor > 1) use_minor = 1;
  if (major > 2 || (major == 2 && minor > 2)) use_major = 2, use_minor = 2;
  StartupInfo info;
  info.version = std::to_string(use_major) + "." + std::to_string(use_minor);
  info.highVersion = "2.2";
  info.description = "WinSock 2.0 (POSIX sockets)";
  info.systemStatus = "Running";
  return Ok(std::move(info));
}

int Cleanup() { return 0; }

Result<NativeSocket> OpenSocket(int family, int type, int protocol) {
#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
  // Linux takes these flags inside `type`; Winsock knows no such types. A SOCK_NONBLOCK socket would also break
  // the rule that a socket blocks until its first async use.
  if ((type & (SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return Fail<NativeSocket>(wsa::kSocketTypeNotSupported);
#endif
#ifdef SOCK_CLOEXEC
  // Atomically close-on-exec where the OS can (as libuv does): no child spawned meanwhile can inherit it.
  const int fd = socket(family, type | SOCK_CLOEXEC, protocol);
#else
  const int fd = socket(family, type, protocol);
#endif
  if (fd == -1) {
    // Linux says EINVAL for a type or protocol it does not know; Winsock names which (test_WSASocket).
    if (errno != EINVAL) return Fail<NativeSocket>(LastError());
    const bool known_type = type == SOCK_STREAM || type == SOCK_DGRAM || type == SOCK_RAW || type == SOCK_SEQPACKET;
    return Fail<NativeSocket>(known_type ? 10043 : wsa::kSocketTypeNotSupported);  // WSAEPROTONOSUPPORT
  }
  PrepareDescriptor(fd);
  posix::Forget(fd);
  // Windows' IPv6 sockets are IPv6-only until IPV6_V6ONLY is cleared (test_ipv6only); Linux's default is the sysctl
  // net.ipv6.bindv6only, usually dual-stack.
  if (family == AF_INET6) {
    const int on = 1;
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  }
  return Ok<NativeSocket>(fd);
}

int CloseSocket(NativeSocket s) {
  posix::Forget(static_cast<int>(s));
  // A close interrupted by a signal has still released the descriptor on Linux and macOS: never retry it.
  if (close(static_cast<int>(s)) == -1 && errno != EINTR) return LastError();
  return 0;
}

int Bind(NativeSocket s, const SocketAddress& address) {
  if (bind(static_cast<int>(s), reinterpret_cast<const sockaddr*>(address.storage),
           static_cast<socklen_t>(address.length)) == -1)
    return LastError();
  return 0;
}

int Listen(NativeSocket s, int backlog) {
  // Only a stream socket listens: Winsock says WSAEOPNOTSUPP for the others, before it looks at the binding.
  const int type = SocketType(static_cast<int>(s));
  if (type != -1 && type != SOCK_STREAM) return wsa::kOperationNotSupported;
  // Winsock refuses to listen on an unbound socket (WSAEINVAL); POSIX would silently bind an ephemeral port.
  sockaddr_storage local{};
  socklen_t length = sizeof local;
  if (getsockname(static_cast<int>(s), reinterpret_cast<sockaddr*>(&local), &length) == -1) return LastError();
  // An unbound AF_UNIX socket has no name (the family alone): Linux would bind it to an abstract name.
  const bool unbound = (local.ss_family == AF_INET && reinterpret_cast<sockaddr_in&>(local).sin_port == 0) ||
                       (local.ss_family == AF_INET6 && reinterpret_cast<sockaddr_in6&>(local).sin6_port == 0) ||
                       (local.ss_family == AF_UNIX && length <= offsetof(sockaddr_un, sun_path));
  if (unbound) return wsa::kInvalidArgument;
  if (listen(static_cast<int>(s), backlog) == -1) return LastError();
  return 0;
}

Result<NativeSocket> Accept(NativeSocket s, SocketAddress* peer) {
  socklen_t length = sizeof peer->storage;
  const int listener = static_cast<int>(s);
  // Winsock's accepted socket inherits the listener's nonblocking mode; Linux's accept() does not, accept4 can.
  const int flags = fcntl(listener, F_GETFL);
  const bool nonblocking = flags != -1 && (flags & O_NONBLOCK) != 0;
  int fd;
  do {
#if defined(__linux__)
    fd = accept4(listener, reinterpret_cast<sockaddr*>(peer->storage), &length,
                 SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0));
#else
    fd = accept(listener, reinterpret_cast<sockaddr*>(peer->storage), &length);  // BSD accept inherits O_NONBLOCK
#endif
  } while (fd == -1 && errno == EINTR);
  if (fd == -1) return Fail<NativeSocket>(TransferError(listener));
  peer->length = BoundedAddressLength(length);
  PrepareDescriptor(fd);
  posix::RememberConnected(fd);
  return Ok<NativeSocket>(fd);
}

int Connect(NativeSocket s, const SocketAddress& address) {
  const auto attempt = [&] {
    return connect(static_cast<int>(s), reinterpret_cast<const sockaddr*>(address.storage),
                   static_cast<socklen_t>(address.length));
  };
  int result = attempt();
  // After a failed connect Linux answers the next connect with the old outcome (the pending error, or
  // ECONNABORTED once it was read) before it tries again; Winsock tries again at once (test_select). Keep the old
  // error for SO_ERROR, as Winsock does, and try again.
  if (result == -1 && IsStaleConnectOutcome(static_cast<int>(s), errno)) {
    if (errno != ECONNABORTED) posix::RememberConnectFailure(static_cast<int>(s), FromErrno(errno));
    result = attempt();
  }
  if (result == -1) {
    const int error = errno;
    const int fd = static_cast<int>(s);
    // A nonblocking connect that has started is WSAEWOULDBLOCK in Winsock, EINPROGRESS in POSIX.
    if (error == EINPROGRESS) return wsa::kWouldBlock;
    // An AF_UNIX path with no socket file: POSIX says ENOENT, which Winsock lacks. Windows refuses the connection
    // (WSAECONNREFUSED), as for a path where nothing listens.
    if (error == ENOENT && reinterpret_cast<const sockaddr*>(address.storage)->sa_family == AF_UNIX)
      return wsa::kConnectionRefused;
    // A blocking connect interrupted by a signal goes on in the kernel; Winsock's would still be waiting: wait.
    const int outcome = error == EINTR ? FinishInterruptedConnect(fd) : FromErrno(error);
    if (outcome == 0) {
      posix::RememberConnected(fd);
      return 0;
    }
    // Linux says EISCONN to a listening socket; Winsock says WSAEINVAL.
    if (error == EISCONN && IsListening(fd)) return wsa::kInvalidArgument;
    // A connect that failed here leaves SO_ERROR 0 in Winsock, but select and WSAPoll report the failure.
    if (outcome != 10035 && outcome != 10036 && outcome != 10037 && outcome != 10056 && SocketType(fd) == SOCK_STREAM)
      posix::RememberConnectFailure(fd, 0);
    return outcome;
  }
  posix::RememberConnected(static_cast<int>(s));
  return 0;
}

namespace {

// send, with Winsock's errors; `nonblocking`: a try* call's, which never blocks (MSG_DONTWAIT, see Waiting), so
// EAGAIN needs no look at the socket.
Result<std::size_t> SendOnce(NativeSocket s, const void* data, std::size_t length, int flags, bool nonblocking) {
  if (!IsSendFlags(flags)) return Fail<std::size_t>(wsa::kOperationNotSupported);
  const int os_flags = flags | kSendFlags | (nonblocking ? MSG_DONTWAIT : 0);
  ssize_t sent;
  do {
    sent = send(static_cast<int>(s), data, length, os_flags);
  } while (sent == -1 && errno == EINTR);
  if (sent != -1) return Ok(static_cast<std::size_t>(sent));
  // A datagram socket with no peer: Linux asks for a destination (EDESTADDRREQ), Winsock says it is not connected.
  if (errno == EDESTADDRREQ) return Fail<std::size_t>(wsa::kNotConnected);
  if (nonblocking && (errno == EAGAIN || errno == EWOULDBLOCK)) return Fail<std::size_t>(wsa::kWouldBlock);
  return Fail<std::size_t>(TransferError(static_cast<int>(s)));
}

}  // namespace

Result<std::size_t> Send(NativeSocket s, const void* data, std::size_t length, int flags) {
  return SendOnce(s, data, length, flags, false);
}

Result<std::size_t> TrySend(NativeSocket s, const void* data, std::size_t length, int flags) {
  return SendOnce(s, data, length, flags, true);
}

namespace {

// Recv and TryRecv.
Result<std::size_t> ReceiveInto(NativeSocket s, void* data, std::size_t length, int flags, Waiting waiting) {
  iovec buffer{data, length};
  msghdr message{};
  message.msg_iov = &buffer;
  message.msg_iovlen = 1;
  return ReceiveMessage(static_cast<int>(s), &message, flags, waiting);
}

}  // namespace

Result<std::size_t> Recv(NativeSocket s, void* data, std::size_t length, int flags) {
  return ReceiveInto(s, data, length, flags, Waiting::kMayBlock);
}

Result<std::size_t> TryRecv(NativeSocket s, void* data, std::size_t length, int flags) {
  return ReceiveInto(s, data, length, flags, Waiting::kNever);
}

namespace {

// RecvStream and TryRecvStream.
Result<std::size_t> ReceiveStream(NativeSocket s, void* data, std::size_t length, int flags, Waiting waiting) {
  // With a flag, the message header: Linux's TCP reports MSG_TRUNC there for urgent data (MSG_OOB) read into no
  // bytes, which Recv answers with WSAEMSGSIZE. Without one, nothing a stream receives is ever cut short.
  if (flags != 0) return ReceiveInto(s, data, length, flags, waiting);
  const int fd = static_cast<int>(s);
  const int os_flags = DontWaitFlag(waiting);
  const auto receive_once = [fd, data, length, os_flags] { return RetryInterrupted(fd, data, length, os_flags); };
  // Bytes or the end of the stream at once, the common case, without the code that sorts out a failure.
  const ssize_t received = receive_once();
  if (received != -1) return Ok(Bounded(static_cast<std::size_t>(received), length));
  const Result<std::size_t> outcome = ReceiveOutcome(fd, received, receive_once, waiting);
  if (!outcome.ok()) return outcome;
  return Ok(Bounded(outcome.value, length));
}

}  // namespace

Result<std::size_t> RecvStream(NativeSocket s, void* data, std::size_t length, int flags) {
  return ReceiveStream(s, data, length, flags, Waiting::kMayBlock);
}

Result<std::size_t> TryRecvStream(NativeSocket s, void* data, std::size_t length, int flags, bool connected) {
  return ReceiveStream(s, data, length, flags, connected ? Waiting::kNeverSettled : Waiting::kNever);
}

int Shutdown(NativeSocket s, int how) {
  // A listening socket has no connection to shut down: Winsock says so (WSAENOTCONN); Linux stops listening.
  if (IsListening(static_cast<int>(s))) return wsa::kNotConnected;
  if (shutdown(static_cast<int>(s), how) == -1) return LastError();
  if (how == SHUT_RD || how == SHUT_RDWR) posix::RememberReceiveShutdown(static_cast<int>(s));
  return 0;
}

// Multicast options on a TCP socket: Linux takes them, Winsock refuses them with WSAEINVAL (test_sockopt_validity).
bool IsMulticastOptionOnStream(int fd, int level, int name) {
  if (level != IPPROTO_IP || (name != IP_MULTICAST_TTL && name != IP_MULTICAST_LOOP && name != IP_MULTICAST_IF))
    return false;
  return SocketType(fd) == SOCK_STREAM;
}

int SetOption(NativeSocket s, int level, int name, const void* value, std::size_t length) {
  if (IsMulticastOptionOnStream(static_cast<int>(s), level, name)) return wsa::kInvalidArgument;
  if (HoldsPointer(level, name)) return wsa::kInvalidArgument;
  if (FillsErrorQueue(level, name)) return 10042;  // WSAENOPROTOOPT
  if (setsockopt(static_cast<int>(s), level, name, value, static_cast<socklen_t>(length)) == -1) return LastError();
  return 0;
}

Result<std::size_t> GetOption(NativeSocket s, int level, int name, void* value, std::size_t length) {
  // SO_ERROR in Winsock's numbers, kept after a failed connect as Winsock keeps it (posix_state.h).
  if (level == SOL_SOCKET && name == SO_ERROR && length >= sizeof(int)) {
    const int error = posix::PendingError(static_cast<int>(s));
    std::memcpy(value, &error, sizeof error);
    return Ok(sizeof error);
  }
  if (IsMulticastOptionOnStream(static_cast<int>(s), level, name)) return Fail<std::size_t>(wsa::kInvalidArgument);
#ifdef SO_GET_FILTER
  if (level == SOL_SOCKET && name == SO_GET_FILTER) return GetFilterOption(static_cast<int>(s), value, length);
#endif
  // Some options report the length they needed, not what they wrote (NETLINK_LIST_MEMBERSHIPS). The kernel writes
  // at most `length` bytes, but a reader of the reported length (ASan's getsockopt interceptor marks that many bytes
  // written) would step past the caller's buffer: the kernel gets a scratch copy with room to spare instead.
  constexpr std::size_t kSpare = 256;
  std::vector<unsigned char> scratch(length + kSpare);
  if (length > 0) std::memcpy(scratch.data(), value, length);  // options that read their buffer first see its bytes
  auto size = static_cast<socklen_t>(length);
  if (getsockopt(static_cast<int>(s), level, name, scratch.data(), &size) == -1) return Fail<std::size_t>(LastError());
  // A buffer too small for what the option has is Winsock's WSAEFAULT, never bytes past it.
  if (size > length) return Fail<std::size_t>(wsa::kFault);
  std::memcpy(value, scratch.data(), size);
  return Ok(static_cast<std::size_t>(size));
}

Result<std::size_t> SendTo(NativeSocket s, const void* data, std::size_t length, int flags, const SocketAddress& to) {
  if (!IsSendFlags(flags)) return Fail<std::size_t>(wsa::kOperationNotSupported);
  ssize_t sent;
  do {
    sent = sendto(static_cast<int>(s), data, length, flags | kSendFlags, reinterpret_cast<const sockaddr*>(to.storage),
                  static_cast<socklen_t>(to.length));
  } while (sent == -1 && errno == EINTR);
  if (sent == -1) return Fail<std::size_t>(TransferError(static_cast<int>(s)));
  return Ok(static_cast<std::size_t>(sent));
}

Result<std::size_t> RecvFrom(NativeSocket s, void* data, std::size_t length, int flags, SocketAddress* from) {
  iovec buffer{data, length};
  msghdr message{};
  message.msg_name = from->storage;
  message.msg_namelen = sizeof from->storage;
  message.msg_iov = &buffer;
  message.msg_iovlen = 1;
  const Result<std::size_t> received = ReceiveMessage(static_cast<int>(s), &message, flags);
  from->length = BoundedAddressLength(message.msg_namelen);
  return received;
}

bool CanWatchPriorityData() { return true; }

Result<std::uint32_t> IoctlSocket(NativeSocket s, long command, std::uint32_t argument) {
  // Winsock's SIOCATMARK is TRUE while no urgent byte waits to be read with MSG_OOB; Linux's answers whether the
  // next byte is the urgent one. Peek at the urgent byte instead (EINVAL: none, or SO_OOBINLINE keeps it inline).
  if (command == static_cast<long>(SIOCATMARK)) {
    char urgent = 0;
    // Any other failure (a UDP socket, one not connected) also means no urgent byte waits; only a bad descriptor fails.
    const ssize_t peeked = recv(static_cast<int>(s), &urgent, 1, MSG_OOB | MSG_PEEK | MSG_DONTWAIT);
    if (peeked == -1 && (errno == EBADF || errno == ENOTSOCK)) return Fail<std::uint32_t>(LastError());
    return Ok<std::uint32_t>(peeked == 1 ? 0 : 1);
  }
  int value = static_cast<int>(argument);
  if (ioctl(static_cast<int>(s), static_cast<unsigned long>(command), &value) == -1)
    return Fail<std::uint32_t>(LastError());
  return Ok(static_cast<std::uint32_t>(value));
}

int SetKeepAliveValues(NativeSocket s, bool on, std::uint32_t time_ms, std::uint32_t interval_ms) {
  const int fd = static_cast<int>(s);
  const int enable = on ? 1 : 0;
  if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &enable, sizeof enable) == -1) return LastError();
  if (!on) return 0;
  // POSIX counts in whole seconds: round up, so a probe never comes earlier than asked.
  const int idle = static_cast<int>((std::uint64_t{time_ms} + 999) / 1000);
  const int interval = static_cast<int>((std::uint64_t{interval_ms} + 999) / 1000);
#ifdef TCP_KEEPIDLE
  if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle) == -1) return LastError();
#else
  if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPALIVE, &idle, sizeof idle) == -1) return LastError();  // macOS
#endif
  if (setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval) == -1) return LastError();
  return 0;
}

int BooleanIoctl(NativeSocket, std::uint32_t code, bool value) {
  // SIO_UDP_CONNRESET(FALSE) asks for what POSIX always does: an unconnected UDP socket never reports an ICMP port
  // unreachable. Anything else has no POSIX counterpart (loopback fast path is a Windows TCP stack feature).
  if (code == SIO_UDP_CONNRESET && !value) return 0;
  return wsa::kOperationNotSupported;
}

int SetTrafficClass(NativeSocket s, int family, int value) {
  const int level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
  const int name = family == AF_INET6 ? IPV6_TCLASS : IP_TOS;
  if (setsockopt(static_cast<int>(s), level, name, &value, sizeof value) == -1) return LastError();
  return 0;
}

Result<int> GetTrafficClass(NativeSocket s, int family) {
  const int level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
  const int name = family == AF_INET6 ? IPV6_TCLASS : IP_TOS;
  int value = 0;
  socklen_t length = sizeof value;
  if (getsockopt(static_cast<int>(s), level, name, &value, &length) == -1) return Fail<int>(LastError());
  return Ok(value);
}

int SetUserTimeout(NativeSocket s, std::uint32_t milliseconds) {
#ifdef TCP_USER_TIMEOUT
  const unsigned int value = milliseconds;
  if (setsockopt(static_cast<int>(s), IPPROTO_TCP, TCP_USER_TIMEOUT, &value, sizeof value) == -1) return LastError();
  return 0;
#else
  (void)s;
  (void)milliseconds;
  return 10042;  // WSAENOPROTOOPT: no such option on this OS
#endif
}

Result<std::uint32_t> GetUserTimeout(NativeSocket s) {
#ifdef TCP_USER_TIMEOUT
  unsigned int value = 0;
  socklen_t length = sizeof value;
  if (getsockopt(static_cast<int>(s), IPPROTO_TCP, TCP_USER_TIMEOUT, &value, &length) == -1)
    return Fail<std::uint32_t>(LastError());
  return Ok(static_cast<std::uint32_t>(value));
#else
  (void)s;
  return Fail<std::uint32_t>(10042);
#endif
}

// The blob of a shared socket on Linux: the sharing process and its descriptor number. The receiver takes its own
// copy of the descriptor with pidfd_getfd, which needs ptrace access to the sharer (same user, or root).
struct ShareBlob {
  std::uint32_t magic;
  std::uint32_t pid;
  std::int32_t fd;
};
constexpr std::uint32_t kShareMagic = 0x57534b53;  // "WSKS"

Result<std::vector<std::uint8_t>> ShareSocket(NativeSocket s, std::uint32_t) {
#if defined(__linux__) && defined(SYS_pidfd_getfd)
  // Any process may take the descriptor while this one lives; the pid argument is Windows' and unused here.
  const ShareBlob blob{kShareMagic, static_cast<std::uint32_t>(getpid()), static_cast<std::int32_t>(s)};
  std::vector<std::uint8_t> bytes(sizeof blob);
  std::memcpy(bytes.data(), &blob, sizeof blob);
  return Ok(std::move(bytes));
#else
  (void)s;
  return Fail<std::vector<std::uint8_t>>(wsa::kOperationNotSupported);
#endif
}

Result<NativeSocket> SocketFromShare(const std::uint8_t* bytes, std::size_t length) {
#if defined(__linux__) && defined(SYS_pidfd_getfd)
  ShareBlob blob{};
  if (length != sizeof blob) return Fail<NativeSocket>(wsa::kInvalidArgument);
  std::memcpy(&blob, bytes, sizeof blob);
  if (blob.magic != kShareMagic) return Fail<NativeSocket>(wsa::kInvalidArgument);
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, static_cast<pid_t>(blob.pid), 0));
  if (pidfd == -1) return Fail<NativeSocket>(LastError());
  const int fd = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, blob.fd, 0));
  const int saved = errno;
  close(pidfd);
  if (fd == -1) return Fail<NativeSocket>(FromErrno(saved));
  PrepareDescriptor(fd);
  posix::Forget(fd);
  return Ok<NativeSocket>(fd);
#else
  (void)bytes;
  (void)length;
  return Fail<NativeSocket>(wsa::kOperationNotSupported);
#endif
}

namespace {

// The sockaddr of a Unix-domain path; false when the path is too long for sun_path.
bool UnixAddress(const std::string& path, sockaddr_un* address) {
  *address = sockaddr_un{};
  address->sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof address->sun_path) return false;
  std::memcpy(address->sun_path, path.c_str(), path.size() + 1);
  return true;
}

// One byte of data with control room for a few descriptors: what SendSocket sends (one) and ReceiveSocket reads. The
// room for more lets ReceiveSocket see, and close, any extra ones a peer sends; past the room the kernel sets
// MSG_CTRUNC and does not install them. Not copyable: the msghdr points into the object itself.
struct DescriptorMessage {
  static constexpr std::size_t kRoom = 4;
  char byte = 0;
  iovec data{&byte, 1};
  alignas(cmsghdr) unsigned char control[CMSG_SPACE(sizeof(int) * kRoom)] = {};
  msghdr header{};

  DescriptorMessage() {
    header.msg_iov = &data;
    header.msg_iovlen = 1;
    header.msg_control = control;
    header.msg_controllen = sizeof control;
  }
  DescriptorMessage(const DescriptorMessage&) = delete;
  DescriptorMessage& operator=(const DescriptorMessage&) = delete;
};

// Closes descriptors when a scope ends, keeping errno as the failing call left it.
struct ClosesOnExit {
  int fds[2] = {-1, -1};
  ~ClosesOnExit() {
    const int saved = errno;
    for (int fd : fds) {
      if (fd != -1) close(fd);
    }
    errno = saved;
  }
};

// Removes the path ReceiveSocket bound, however the call ends: it is for one sender only.
struct RemovesPathOnExit {
  const std::string* path = nullptr;
  void Remove() {
    if (path != nullptr) unlink(path->c_str());
    path = nullptr;
  }
  ~RemovesPathOnExit() {
    const int saved = errno;
    Remove();
    errno = saved;
  }
};

using Clock = std::chrono::steady_clock;

// Waits until `fd` has one of `events` (or an error or hangup, which the next call reports): 0, or WSAETIMEDOUT once
// `deadline` has passed, or poll's error.
int WaitUntil(int fd, short events, Clock::time_point deadline) {
  pollfd entry{fd, events, 0};
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    const int ready = poll(&entry, 1, left > 0 ? static_cast<int>(left) : 0);
    if (ready > 0) return 0;
    if (ready == 0) return 10060;  // WSAETIMEDOUT
    if (errno != EINTR) return LastError();
  }
}

// 0 when the process at the other end of the Unix-domain `connection` runs as this process's effective user (for
// a connecting socket, the user that called listen), else WSAEACCES: a socket is never taken from, nor handed to,
// another user who reached the path.
int RequireSameUser(int connection) {
#ifdef SO_PEERCRED
  ucred credentials{};
  socklen_t length = sizeof credentials;
  if (getsockopt(connection, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == -1) return LastError();
  const uid_t peer = credentials.uid;
#else
  uid_t peer = 0;
  gid_t group = 0;
  if (getpeereid(connection, &peer, &group) == -1) return LastError();
#endif
  return peer == geteuid() ? 0 : 10013;  // WSAEACCES
}

#ifdef MSG_CMSG_CLOEXEC
constexpr int kReceiveDescriptorFlags = MSG_CMSG_CLOEXEC;  // close-on-exec from the moment they are installed
#else
constexpr int kReceiveDescriptorFlags = 0;  // PrepareDescriptor sets FD_CLOEXEC just after
#endif

// The one descriptor `message` carries. A message with none fails with WSAENOTSOCK; one with more, or cut short
// (MSG_CTRUNC), fails with WSAEMSGSIZE: every descriptor the kernel installed is closed then, none is leaked.
Result<NativeSocket> TakeOneDescriptor(DescriptorMessage& message) {
  std::vector<int> fds;
  const unsigned char* control_end = message.control + message.header.msg_controllen;
  for (cmsghdr* header = CMSG_FIRSTHDR(&message.header); header != nullptr;
       header = CMSG_NXTHDR(&message.header, header)) {
    const unsigned char* begin = reinterpret_cast<const unsigned char*>(header);
    // The lengths are the kernel's: none is read past the control data it says it wrote.
    if (header->cmsg_len < CMSG_LEN(0) || header->cmsg_len > static_cast<std::size_t>(control_end - begin)) break;
    if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
    const std::size_t count = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < count; ++i) {
      int fd = -1;
      std::memcpy(&fd, CMSG_DATA(header) + i * sizeof(int), sizeof fd);
      fds.push_back(fd);
    }
  }
  const bool truncated = (message.header.msg_flags & MSG_CTRUNC) != 0;
  if (fds.size() == 1 && !truncated) {
    PrepareDescriptor(fds[0]);
    posix::Forget(fds[0]);  // a new descriptor number: whatever was remembered for an old one with it is stale
    return Ok<NativeSocket>(fds[0]);
  }
  for (int fd : fds) close(fd);
  return Fail<NativeSocket>(fds.empty() && !truncated ? wsa::kNotSocket : 10040);  // WSAEMSGSIZE
}

}  // namespace

Result<NativeSocket> ReceiveSocket(const std::string& path, std::uint32_t timeout_ms) {
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  sockaddr_un address;
  if (!UnixAddress(path, &address)) return Fail<NativeSocket>(10063);  // WSAENAMETOOLONG
  ClosesOnExit open_fds;
  const int listener = open_fds.fds[0] = socket(AF_UNIX, SOCK_STREAM, 0);
  if (listener == -1) return Fail<NativeSocket>(LastError());
  if (bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == -1)
    return Fail<NativeSocket>(LastError());
  RemovesPathOnExit bound{&path};  // ours from here on (a path bind refused may be someone else's: left alone)
  // Nonblocking, with poll for the waits: the deadline covers the whole call, and a sender that connects and then
  // goes away cannot leave accept blocked.
  if (listen(listener, 1) == -1 || fcntl(listener, F_SETFL, O_NONBLOCK) == -1) return Fail<NativeSocket>(LastError());
  int connection = -1;
  while (connection == -1) {
    if (const int error = WaitUntil(listener, POLLIN, deadline); error != 0) return Fail<NativeSocket>(error);
    connection = accept(listener, nullptr, nullptr);
    if (connection == -1 && errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED)
      return Fail<NativeSocket>(LastError());
  }
  open_fds.fds[1] = connection;
  bound.Remove();  // one use: the path goes as soon as the sender is in
  if (const int error = RequireSameUser(connection); error != 0) return Fail<NativeSocket>(error);

  DescriptorMessage message;
  for (;;) {
    if (const int error = WaitUntil(connection, POLLIN, deadline); error != 0) return Fail<NativeSocket>(error);
    const ssize_t received = recvmsg(connection, &message.header, kReceiveDescriptorFlags | MSG_DONTWAIT);
    if (received == 0) return Fail<NativeSocket>(wsa::kNotSocket);  // the peer left without sending a descriptor
    if (received > 0) return TakeOneDescriptor(message);
    if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) return Fail<NativeSocket>(LastError());
  }
}

int SendSocket(const std::string& path, NativeSocket s, std::uint32_t timeout_ms) {
  sockaddr_un address;
  if (!UnixAddress(path, &address)) return 10063;  // WSAENAMETOOLONG
  ClosesOnExit open_fds;
  const int connection = open_fds.fds[0] = socket(AF_UNIX, SOCK_STREAM, 0);
  if (connection == -1) return LastError();
  // SO_SNDTIMEO bounds both waits: Linux's connect on a Unix-domain socket whose backlog is full, and sendmsg. A
  // zero SO_SNDTIMEO would mean no limit, so 0 ms asks for the shortest one.
  if (const int error = SetTimeoutOption(connection, SO_SNDTIMEO, timeout_ms == 0 ? 1 : timeout_ms); error != 0)
    return error;
  if (connect(connection, reinterpret_cast<sockaddr*>(&address), sizeof address) == -1)
    return errno == EAGAIN || errno == EWOULDBLOCK ? 10060 : LastError();  // WSAETIMEDOUT
  if (const int error = RequireSameUser(connection); error != 0) return error;
  DescriptorMessage message;
  message.header.msg_controllen = PutControlMessage(message.control, SOL_SOCKET, SCM_RIGHTS, static_cast<int>(s));
  ssize_t sent;
  do {
    sent = sendmsg(connection, &message.header, kSendFlags);
  } while (sent == -1 && errno == EINTR);
  return sent == -1 ? TransferError(connection) : 0;
}

int EnablePacketInfo(NativeSocket s, int family) {
  const int on = 1;
  const int result = family == AF_INET6
                         ? setsockopt(static_cast<int>(s), IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on)
                         : setsockopt(static_cast<int>(s), IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
  return result == -1 ? LastError() : 0;
}

Result<std::size_t> RecvMsg(NativeSocket s, void* data, std::size_t length, int flags, SocketAddress* from,
                            PacketInfo* info) {
  if (!IsReceiveFlags(flags)) return Fail<std::size_t>(wsa::kOperationNotSupported);
  iovec buffer{data, length};
  alignas(cmsghdr) unsigned char control[256];
  msghdr message{};
  message.msg_name = from->storage;
  message.msg_namelen = sizeof from->storage;
  message.msg_iov = &buffer;
  message.msg_iovlen = 1;
  message.msg_control = control;
  message.msg_controllen = sizeof control;
  const Result<std::size_t> received = ReceiveMessage(static_cast<int>(s), &message, flags);
  if (!received.ok()) return received;
  from->length = BoundedAddressLength(message.msg_namelen);
  const unsigned char* control_end = control + std::min<std::size_t>(message.msg_controllen, sizeof control);
  for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr; header = CMSG_NXTHDR(&message, header)) {
    // A control message cut short (MSG_CTRUNC) carries less than its type's struct: read none of it. Nor more than
    // the control data the kernel wrote: CMSG_NXTHDR keeps a header inside it, but its cmsg_len is the kernel's word.
    const std::size_t claimed = header->cmsg_len < CMSG_LEN(0) ? 0 : header->cmsg_len - CMSG_LEN(0);
    const unsigned char* data = CMSG_DATA(header);
    const std::size_t room = data < control_end ? static_cast<std::size_t>(control_end - data) : 0;
    const std::size_t carried = std::min(claimed, room);
    if (header->cmsg_level == IPPROTO_IP && header->cmsg_type == IP_PKTINFO && carried >= sizeof(in_pktinfo)) {
      in_pktinfo packet{};
      std::memcpy(&packet, CMSG_DATA(header), sizeof packet);
      *info = PacketInfoFrom(packet.ipi_addr, static_cast<std::uint32_t>(packet.ipi_ifindex));  // ipi_addr: the datagram's destination
    } else if (header->cmsg_level == IPPROTO_IPV6 && header->cmsg_type == IPV6_PKTINFO &&
               carried >= sizeof(in6_pktinfo)) {
      in6_pktinfo packet{};
      std::memcpy(&packet, CMSG_DATA(header), sizeof packet);
      *info = PacketInfoFrom(packet.ipi6_addr, packet.ipi6_ifindex);
    }
  }
  return received;
}

Result<std::size_t> SendMsg(NativeSocket s, const void* data, std::size_t length, int flags, const SocketAddress& to,
                            const PacketInfo& info) {
  if (!IsSendFlags(flags)) return Fail<std::size_t>(wsa::kOperationNotSupported);
  iovec buffer{const_cast<void*>(data), length};
  alignas(cmsghdr) unsigned char control[CMSG_SPACE(sizeof(in6_pktinfo))] = {};
  msghdr message{};
  message.msg_name = const_cast<unsigned char*>(to.storage);
  message.msg_namelen = static_cast<socklen_t>(to.length);
  message.msg_iov = &buffer;
  message.msg_iovlen = 1;
  if (info.present) {
    message.msg_control = control;
    if (IsIPv6(info)) {
      in6_pktinfo packet{};
      packet.ipi6_addr = SourceAddress6(info);
      packet.ipi6_ifindex = info.interface_index;
      message.msg_controllen = PutControlMessage(control, IPPROTO_IPV6, IPV6_PKTINFO, packet);
    } else {
      in_pktinfo packet{};
      packet.ipi_spec_dst = SourceAddress4(info);  // the source address to use
      packet.ipi_ifindex = static_cast<int>(info.interface_index);
      message.msg_controllen = PutControlMessage(control, IPPROTO_IP, IP_PKTINFO, packet);
    }
  }
  ssize_t sent;
  do {
    sent = sendmsg(static_cast<int>(s), &message, flags | kSendFlags);
  } while (sent == -1 && errno == EINTR);
  if (sent == -1) return Fail<std::size_t>(TransferError(static_cast<int>(s)));
  return Ok(static_cast<std::size_t>(sent));
}

Result<NameInfo> GetNameInfo(const SocketAddress& address, int flags) {
  char host[NI_MAXHOST] = {};
  char service[NI_MAXSERV] = {};
  const int error = getnameinfo(reinterpret_cast<const sockaddr*>(address.storage),
                                static_cast<socklen_t>(address.length), host, sizeof host, service, sizeof service, flags);
  const int saved_errno = errno;
  if (error != 0) return Fail<NameInfo>(FromAddrInfoError(error, saved_errno));
  return Ok(NameInfo{host, service});
}

Result<std::string> GetHostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) == -1) return Fail<std::string>(LastError());
  return Ok(std::string(name));
}

Result<int> TakeSocketError(NativeSocket s) { return Ok(posix::PendingError(static_cast<int>(s))); }

Result<bool> ConnectIsOver(NativeSocket s) {
  // A socket in SYN_SENT polls neither writable nor failed; one whose connect failed polls POLLOUT|POLLHUP (and
  // POLLERR while SO_ERROR is still set), since a closed TCP socket is always writable.
  pollfd entry{static_cast<int>(s), POLLOUT, 0};
  int ready;
  while ((ready = poll(&entry, 1, 0)) == -1 && errno == EINTR) {
  }
  if (ready == -1) return Fail<bool>(LastError());
  return Ok((entry.revents & (POLLOUT | POLLERR | POLLHUP)) != 0);
}

Result<SocketAddress> GetSockName(NativeSocket s) {
  SocketAddress address;
  socklen_t length = sizeof address.storage;
  if (getsockname(static_cast<int>(s), reinterpret_cast<sockaddr*>(address.storage), &length) == -1)
    return Fail<SocketAddress>(LastError());
  address.length = BoundedAddressLength(length);
  // Winsock has no name for a socket never bound (WSAEINVAL); POSIX gives the wildcard address and port 0.
  const Endpoint name = DescribeAddress(address);
  if (name.port == 0 && (name.family == AF_INET || name.family == AF_INET6)) return Fail<SocketAddress>(wsa::kInvalidArgument);
  return Ok(address);
}

Result<SocketAddress> GetPeerName(NativeSocket s) {
  SocketAddress address;
  socklen_t length = sizeof address.storage;
  if (getpeername(static_cast<int>(s), reinterpret_cast<sockaddr*>(address.storage), &length) == -1)
    return Fail<SocketAddress>(LastError());
  address.length = BoundedAddressLength(length);
  return Ok(address);
}

Result<std::vector<AddressInfo>> GetAddressInfo(const std::string* node, const std::string* service,
                                             const AddressInfoHints& hints) {
  const posix::AddressQuery asked = posix::WindowsQuery(node, service, hints);
  if (asked.error != 0) return Fail<std::vector<AddressInfo>>(asked.error);
  addrinfo query{};
  query.ai_flags = asked.hints.flags;
  query.ai_family = asked.hints.family;
  query.ai_socktype = asked.hints.socktype;
  query.ai_protocol = asked.hints.protocol;
  addrinfo* list = nullptr;
  const int error = getaddrinfo(asked.node ? asked.node->c_str() : nullptr,
                                asked.service ? asked.service->c_str() : nullptr, &query, &list);
  const int saved_errno = errno;
#ifdef EAI_ADDRFAMILY
  // A numeric address of the other family is no host at all to Windows (test_getaddrinfo: "[beef::cafe]" as AF_INET).
  if (error == EAI_ADDRFAMILY && (asked.hints.flags & AI_NUMERICHOST) != 0) return Fail<std::vector<AddressInfo>>(11001);
#endif
  if (error != 0) return Fail<std::vector<AddressInfo>>(FromAddrInfoError(error, saved_errno));

  std::vector<AddressInfo> entries;
  for (const addrinfo* entry = list; entry != nullptr; entry = entry->ai_next) {
    if (entry->ai_family != AF_INET && entry->ai_family != AF_INET6) continue;
    AddressInfo info;
    info.flags = entry->ai_flags;
    info.family = entry->ai_family;
    info.socktype = asked.echo_type ? hints.socktype : entry->ai_socktype;
    info.protocol = asked.echo_type ? hints.protocol : entry->ai_protocol;
    if (entry->ai_canonname != nullptr) info.canonname = entry->ai_canonname;
    SocketAddress address;
    address.length = BoundedAddressLength(entry->ai_addrlen);
    std::memcpy(address.storage, entry->ai_addr, static_cast<std::size_t>(address.length));
    info.endpoint = DescribeAddress(address);
    entries.push_back(std::move(info));
  }
  freeaddrinfo(list);
  return Ok(std::move(entries));
}

int ErrnoToWinsock(int error) { return FromErrno(error); }

}  // namespace winsock::platform
