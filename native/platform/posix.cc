// The platform interface over BSD sockets (Linux, macOS). Every errno and EAI_* code is translated to its Winsock
// number here and nowhere else, so the layers above see one error vocabulary on every OS.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "platform.h"
#include "system.h"

namespace winsock::platform {
namespace {

// errno -> Winsock, as libuv's src/win/error.c maps the other way. An errno with no Winsock twin becomes WSAEINVAL.
int FromErrno(int error) {
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

int LastError() { return FromErrno(errno); }

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

#ifdef MSG_NOSIGNAL
constexpr int kSendFlags = MSG_NOSIGNAL;
#else
constexpr int kSendFlags = 0;  // SO_NOSIGPIPE, set in PrepareDescriptor, does the same job
#endif

}  // namespace

Result<StartupInfo> Startup(std::uint16_t requested) {
  // WSAStartup's negotiation: versions below 1.0 are refused, anything above 2.2 is answered with 2.2.
  const int major = requested & 0xff;
  const int minor = (requested >> 8) & 0xff;
  if (major < 1) return Fail<StartupInfo>(wsa::kVersionNotSupported);
  int use_major = major, use_minor = minor;
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
  const int fd = socket(family, type, protocol);
  if (fd == -1) return Fail<NativeSocket>(LastError());
  PrepareDescriptor(fd);
  return Ok<NativeSocket>(fd);
}

int CloseSocket(NativeSocket s) {
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
  // Winsock refuses to listen on an unbound socket (WSAEINVAL); POSIX would silently bind an ephemeral port.
  sockaddr_storage local{};
  socklen_t length = sizeof local;
  if (getsockname(static_cast<int>(s), reinterpret_cast<sockaddr*>(&local), &length) == -1) return LastError();
  const bool unbound = (local.ss_family == AF_INET && reinterpret_cast<sockaddr_in&>(local).sin_port == 0) ||
                       (local.ss_family == AF_INET6 && reinterpret_cast<sockaddr_in6&>(local).sin6_port == 0);
  if (unbound) return wsa::kInvalidArgument;
  if (listen(static_cast<int>(s), backlog) == -1) return LastError();
  return 0;
}

Result<NativeSocket> Accept(NativeSocket s, SocketAddress* peer) {
  socklen_t length = sizeof peer->storage;
  int fd;
  do {
    fd = accept(static_cast<int>(s), reinterpret_cast<sockaddr*>(peer->storage), &length);
  } while (fd == -1 && errno == EINTR);
  if (fd == -1) return Fail<NativeSocket>(LastError());
  peer->length = static_cast<int>(length);
  PrepareDescriptor(fd);
  return Ok<NativeSocket>(fd);
}

int Connect(NativeSocket s, const SocketAddress& address) {
  if (connect(static_cast<int>(s), reinterpret_cast<const sockaddr*>(address.storage),
              static_cast<socklen_t>(address.length)) == -1) {
    const int error = errno;
    // A nonblocking connect that has started is WSAEWOULDBLOCK in Winsock, EINPROGRESS in POSIX.
    return error == EINPROGRESS ? wsa::kWouldBlock : FromErrno(error);
  }
  return 0;
}

Result<std::size_t> Send(NativeSocket s, const void* data, std::size_t length, int flags) {
  ssize_t sent;
  do {
    sent = send(static_cast<int>(s), data, length, flags | kSendFlags);
  } while (sent == -1 && errno == EINTR);
  if (sent == -1) return Fail<std::size_t>(LastError());
  return Ok(static_cast<std::size_t>(sent));
}

Result<std::size_t> Recv(NativeSocket s, void* data, std::size_t length, int flags) {
  ssize_t received;
  do {
    received = recv(static_cast<int>(s), data, length, flags);
  } while (received == -1 && errno == EINTR);
  if (received == -1) return Fail<std::size_t>(LastError());
  return Ok(static_cast<std::size_t>(received));
}

int Shutdown(NativeSocket s, int how) {
  if (shutdown(static_cast<int>(s), how) == -1) return LastError();
  return 0;
}

int SetOption(NativeSocket s, int level, int name, const void* value, std::size_t length) {
  if (setsockopt(static_cast<int>(s), level, name, value, static_cast<socklen_t>(length)) == -1) return LastError();
  return 0;
}

Result<std::size_t> GetOption(NativeSocket s, int level, int name, void* value, std::size_t length) {
  auto size = static_cast<socklen_t>(length);
  if (getsockopt(static_cast<int>(s), level, name, value, &size) == -1) return Fail<std::size_t>(LastError());
  return Ok(static_cast<std::size_t>(size));
}

Result<int> TakeSocketError(NativeSocket s) {
  int pending = 0;
  socklen_t length = sizeof pending;
  if (getsockopt(static_cast<int>(s), SOL_SOCKET, SO_ERROR, &pending, &length) == -1) return Fail<int>(LastError());
  return Ok(FromErrno(pending));
}

Result<SocketAddress> GetSockName(NativeSocket s) {
  SocketAddress address;
  socklen_t length = sizeof address.storage;
  if (getsockname(static_cast<int>(s), reinterpret_cast<sockaddr*>(address.storage), &length) == -1)
    return Fail<SocketAddress>(LastError());
  address.length = static_cast<int>(length);
  return Ok(address);
}

Result<SocketAddress> GetPeerName(NativeSocket s) {
  SocketAddress address;
  socklen_t length = sizeof address.storage;
  if (getpeername(static_cast<int>(s), reinterpret_cast<sockaddr*>(address.storage), &length) == -1)
    return Fail<SocketAddress>(LastError());
  address.length = static_cast<int>(length);
  return Ok(address);
}

Result<std::vector<AddressInfo>> GetAddressInfo(const std::string* node, const std::string* service,
                                             const AddressInfoHints& hints) {
  addrinfo query{};
  query.ai_flags = hints.flags;
  query.ai_family = hints.family;
  query.ai_socktype = hints.socktype;
  query.ai_protocol = hints.protocol;
  addrinfo* list = nullptr;
  const int error = getaddrinfo(node ? node->c_str() : nullptr, service ? service->c_str() : nullptr, &query, &list);
  const int saved_errno = errno;
  if (error != 0) return Fail<std::vector<AddressInfo>>(FromAddrInfoError(error, saved_errno));

  std::vector<AddressInfo> entries;
  for (const addrinfo* entry = list; entry != nullptr; entry = entry->ai_next) {
    if (entry->ai_family != AF_INET && entry->ai_family != AF_INET6) continue;
    AddressInfo info;
    info.flags = entry->ai_flags;
    info.family = entry->ai_family;
    info.socktype = entry->ai_socktype;
    info.protocol = entry->ai_protocol;
    if (entry->ai_canonname != nullptr) info.canonname = entry->ai_canonname;
    SocketAddress address;
    std::memcpy(address.storage, entry->ai_addr, entry->ai_addrlen);
    address.length = static_cast<int>(entry->ai_addrlen);
    info.endpoint = DescribeAddress(address);
    entries.push_back(std::move(info));
  }
  freeaddrinfo(list);
  return Ok(std::move(entries));
}

}  // namespace winsock::platform
