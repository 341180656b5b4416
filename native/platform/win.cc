// The platform interface over Ws2_32: the real Winsock. Errors are read with WSAGetLastError right after the
// failing call; they are already Winsock numbers. Names go through the wide-character calls (GetAddrInfoW) so that
// non-ASCII host names work whatever the process's ANSI code page is.
#include <algorithm>
#include <cstring>

#include "packet_info.h"
#include "platform.h"
#include "system.h"

#ifdef _MSC_VER
#pragma comment(lib, "ws2_32.lib")
#endif

namespace winsock::platform {
namespace {

// Writes `value` as the only control message in `control` (sized for it); returns the WSABUF to send it with.
template <typename T>
WSABUF PutControlMessage(char* control, int level, int type, const T& value) {
  WSACMSGHDR* header = reinterpret_cast<WSACMSGHDR*>(control);
  header->cmsg_level = level;
  header->cmsg_type = type;
  header->cmsg_len = WSA_CMSG_LEN(sizeof value);
  std::memcpy(WSA_CMSG_DATA(header), &value, sizeof value);
  return WSABUF{static_cast<ULONG>(WSA_CMSG_SPACE(sizeof value)), control};
}

std::wstring Widen(const std::string& text) {
  if (text.empty()) return std::wstring();
  const int length = MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0);
  std::wstring wide(static_cast<std::size_t>(length), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), wide.data(), length);
  return wide;
}

std::string Narrow(const wchar_t* wide) {
  const int length = WideCharToMultiByte(CP_UTF8, 0, wide, -1, nullptr, 0, nullptr, nullptr);
  if (length <= 1) return std::string();
  std::string text(static_cast<std::size_t>(length - 1), '\0');
  WideCharToMultiByte(CP_UTF8, 0, wide, -1, text.data(), length, nullptr, nullptr);
  return text;
}

std::string VersionText(WORD version) {
  return std::to_string(LOBYTE(version)) + "." + std::to_string(HIBYTE(version));
}

SOCKET Native(NativeSocket s) { return static_cast<SOCKET>(s); }

int ClampLength(std::size_t length) {
  // send/recv take an int length; a larger request is served in part, as a short send or read would be.
  return length > 0x7fffffff ? 0x7fffffff : static_cast<int>(length);
}

}  // namespace

Result<StartupInfo> Startup(std::uint16_t requested) {
  WSADATA data{};
  const int error = WSAStartup(requested, &data);  // WSAStartup returns its error; WSAGetLastError is not set
  if (error != 0) return Fail<StartupInfo>(error);
  StartupInfo info;
  info.version = VersionText(data.wVersion);
  info.highVersion = VersionText(data.wHighVersion);
  info.description = data.szDescription;
  info.systemStatus = data.szSystemStatus;
  return Ok(std::move(info));
}

int Cleanup() { return WSACleanup() == 0 ? 0 : WSAGetLastError(); }

Result<NativeSocket> OpenSocket(int family, int type, int protocol) {
  // WSA_FLAG_NO_HANDLE_INHERIT: sockets must not leak into child processes (as O_CLOEXEC on POSIX).
  const SOCKET s = WSASocketW(family, type, protocol, nullptr, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET) return Fail<NativeSocket>(WSAGetLastError());
  return Ok(static_cast<NativeSocket>(s));
}

int CloseSocket(NativeSocket s) { return closesocket(Native(s)) == 0 ? 0 : WSAGetLastError(); }

int Bind(NativeSocket s, const SocketAddress& address) {
  const auto* name = reinterpret_cast<const sockaddr*>(address.storage);
  return bind(Native(s), name, address.length) == 0 ? 0 : WSAGetLastError();
}

int Listen(NativeSocket s, int backlog) { return listen(Native(s), backlog) == 0 ? 0 : WSAGetLastError(); }

Result<NativeSocket> Accept(NativeSocket s, SocketAddress* peer) {
  int length = static_cast<int>(sizeof peer->storage);
  const SOCKET accepted = accept(Native(s), reinterpret_cast<sockaddr*>(peer->storage), &length);
  if (accepted == INVALID_SOCKET) return Fail<NativeSocket>(WSAGetLastError());
  peer->length = BoundedAddressLength(length);
  return Ok(static_cast<NativeSocket>(accepted));
}

int Connect(NativeSocket s, const SocketAddress& address) {
  const auto* name = reinterpret_cast<const sockaddr*>(address.storage);
  return connect(Native(s), name, address.length) == 0 ? 0 : WSAGetLastError();
}

Result<std::size_t> Send(NativeSocket s, const void* data, std::size_t length, int flags) {
  const int sent = send(Native(s), static_cast<const char*>(data), ClampLength(length), flags);
  if (sent == SOCKET_ERROR) return Fail<std::size_t>(WSAGetLastError());
  return Ok(static_cast<std::size_t>(sent));
}

Result<std::size_t> Recv(NativeSocket s, void* data, std::size_t length, int flags) {
  const int received = recv(Native(s), static_cast<char*>(data), ClampLength(length), flags);
  if (received == SOCKET_ERROR) return Fail<std::size_t>(WSAGetLastError());
  return Ok(Bounded(static_cast<std::size_t>(received), length));
}

// Winsock's recv has no message header to skip, and its errors need no second look: the same calls.
Result<std::size_t> RecvStream(NativeSocket s, void* data, std::size_t length, int flags) {
  return Recv(s, data, length, flags);
}

Result<std::size_t> TryRecvStream(NativeSocket s, void* data, std::size_t length, int flags, bool) {
  return Recv(s, data, length, flags);
}

Result<std::size_t> TryRecv(NativeSocket s, void* data, std::size_t length, int flags) {
  return Recv(s, data, length, flags);
}

Result<std::size_t> TrySend(NativeSocket s, const void* data, std::size_t length, int flags) {
  return Send(s, data, length, flags);
}

int Shutdown(NativeSocket s, int how) { return shutdown(Native(s), how) == 0 ? 0 : WSAGetLastError(); }

int SetOption(NativeSocket s, int level, int name, const void* value, std::size_t length) {
  const int result = setsockopt(Native(s), level, name, static_cast<const char*>(value), ClampLength(length));
  return result == 0 ? 0 : WSAGetLastError();
}

Result<std::size_t> GetOption(NativeSocket s, int level, int name, void* value, std::size_t length) {
  int size = ClampLength(length);
  if (getsockopt(Native(s), level, name, static_cast<char*>(value), &size) != 0)
    return Fail<std::size_t>(WSAGetLastError());
  // Winsock writes at most optlen bytes; a provider reporting more is held to the buffer all the same.
  if (size < 0 || static_cast<std::size_t>(size) > length) return Fail<std::size_t>(WSAEFAULT);
  return Ok(static_cast<std::size_t>(size));
}

Result<std::size_t> SendTo(NativeSocket s, const void* data, std::size_t length, int flags, const SocketAddress& to) {
  const int sent = sendto(Native(s), static_cast<const char*>(data), ClampLength(length), flags,
                          reinterpret_cast<const sockaddr*>(to.storage), to.length);
  if (sent == SOCKET_ERROR) return Fail<std::size_t>(WSAGetLastError());
  return Ok(static_cast<std::size_t>(sent));
}

Result<std::size_t> RecvFrom(NativeSocket s, void* data, std::size_t length, int flags, SocketAddress* from) {
  int size = static_cast<int>(sizeof from->storage);
  const int received = recvfrom(Native(s), static_cast<char*>(data), ClampLength(length), flags,
                                reinterpret_cast<sockaddr*>(from->storage), &size);
  if (received == SOCKET_ERROR) return Fail<std::size_t>(WSAGetLastError());
  from->length = BoundedAddressLength(size);
  return Ok(Bounded(static_cast<std::size_t>(received), length));
}

// libuv's Windows poll (src/win/poll.c) asks AFD for receive, send, accept and disconnect events only.
bool CanWatchPriorityData() { return false; }

Result<std::uint32_t> IoctlSocket(NativeSocket s, long command, std::uint32_t argument) {
  u_long value = argument;
  if (ioctlsocket(Native(s), command, &value) != 0) return Fail<std::uint32_t>(WSAGetLastError());
  return Ok(static_cast<std::uint32_t>(value));
}

int SetKeepAliveValues(NativeSocket s, bool on, std::uint32_t time_ms, std::uint32_t interval_ms) {
  tcp_keepalive values{};
  values.onoff = on ? 1 : 0;
  values.keepalivetime = time_ms;
  values.keepaliveinterval = interval_ms;
  DWORD returned = 0;
  if (WSAIoctl(Native(s), SIO_KEEPALIVE_VALS, &values, sizeof values, nullptr, 0, &returned, nullptr, nullptr) != 0)
    return WSAGetLastError();
  return 0;
}

int BooleanIoctl(NativeSocket s, std::uint32_t code, bool value) {
  // Only the codes that take one BOOL and return nothing: any other could read or write past `input` (the JavaScript
  // layer checks too; this holds whoever calls).
  if (code != SIO_UDP_CONNRESET && code != SIO_LOOPBACK_FAST_PATH) return WSAEINVAL;
  BOOL input = value ? TRUE : FALSE;
  DWORD returned = 0;
  if (WSAIoctl(Native(s), code, &input, sizeof input, nullptr, 0, &returned, nullptr, nullptr) != 0)
    return WSAGetLastError();
  return 0;
}

int SetTrafficClass(NativeSocket, int, int) {
  // Windows accepts IP_TOS through setsockopt and ignores it: only the QoS API (qWAVE, QOSSetFlow) sets the DSCP
  // of outgoing packets. Say so rather than pretend.
  return WSAEOPNOTSUPP;
}

Result<int> GetTrafficClass(NativeSocket, int) { return Fail<int>(WSAEOPNOTSUPP); }

int SetUserTimeout(NativeSocket s, std::uint32_t milliseconds) {
  // TCP_MAXRT counts whole seconds: round up, so the connection never gives up earlier than asked.
  const DWORD seconds = static_cast<DWORD>((std::uint64_t{milliseconds} + 999) / 1000);
  if (setsockopt(Native(s), IPPROTO_TCP, TCP_MAXRT, reinterpret_cast<const char*>(&seconds), sizeof seconds) != 0)
    return WSAGetLastError();
  return 0;
}

Result<std::uint32_t> GetUserTimeout(NativeSocket s) {
  DWORD seconds = 0;
  int length = sizeof seconds;
  if (getsockopt(Native(s), IPPROTO_TCP, TCP_MAXRT, reinterpret_cast<char*>(&seconds), &length) != 0)
    return Fail<std::uint32_t>(WSAGetLastError());
  const std::uint64_t milliseconds = std::uint64_t{seconds} * 1000;
  return Ok(static_cast<std::uint32_t>(milliseconds > 0xffffffffu ? 0xffffffffu : milliseconds));
}

Result<std::vector<std::uint8_t>> ShareSocket(NativeSocket s, std::uint32_t pid) {
  WSAPROTOCOL_INFOW info{};
  if (WSADuplicateSocketW(Native(s), pid, &info) != 0) return Fail<std::vector<std::uint8_t>>(WSAGetLastError());
  std::vector<std::uint8_t> blob(sizeof info);
  std::memcpy(blob.data(), &info, sizeof info);
  return Ok(std::move(blob));
}

Result<NativeSocket> SocketFromShare(const std::uint8_t* blob, std::size_t length) {
  WSAPROTOCOL_INFOW info{};
  if (length != sizeof info) return Fail<NativeSocket>(WSAEINVAL);
  std::memcpy(&info, blob, sizeof info);
  const SOCKET s = WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &info, 0,
                              WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
  if (s == INVALID_SOCKET) return Fail<NativeSocket>(WSAGetLastError());
  return Ok(static_cast<NativeSocket>(s));
}

// Windows' AF_UNIX has no SCM_RIGHTS: a socket moves between processes with WSADuplicateSocketW (ShareSocket).
Result<NativeSocket> ReceiveSocket(const std::string&, std::uint32_t) { return Fail<NativeSocket>(WSAEOPNOTSUPP); }
int SendSocket(const std::string&, NativeSocket, std::uint32_t) { return WSAEOPNOTSUPP; }

int EnablePacketInfo(NativeSocket s, int family) {
  const DWORD on = 1;
  const int level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
  const int name = family == AF_INET6 ? IPV6_PKTINFO : IP_PKTINFO;
  return setsockopt(Native(s), level, name, reinterpret_cast<const char*>(&on), sizeof on) == 0 ? 0 : WSAGetLastError();
}

Result<std::size_t> RecvMsg(NativeSocket s, void* data, std::size_t length, int flags, SocketAddress* from,
                            PacketInfo* info) {
  // WSARecvMsg is not exported by ws2_32: the provider hands out a pointer to it (Microsoft's documented way).
  LPFN_WSARECVMSG recv_msg = nullptr;
  GUID id = WSAID_WSARECVMSG;
  DWORD returned = 0;
  if (WSAIoctl(Native(s), SIO_GET_EXTENSION_FUNCTION_POINTER, &id, sizeof id, &recv_msg, sizeof recv_msg, &returned,
               nullptr, nullptr) != 0)
    return Fail<std::size_t>(WSAGetLastError());
  WSABUF buffer{static_cast<ULONG>(ClampLength(length)), static_cast<char*>(data)};
  char control[256] = {};
  WSAMSG message{};
  message.name = reinterpret_cast<sockaddr*>(from->storage);
  message.namelen = static_cast<INT>(sizeof from->storage);
  message.lpBuffers = &buffer;
  message.dwBufferCount = 1;
  message.Control = WSABUF{sizeof control, control};
  message.dwFlags = static_cast<DWORD>(flags);
  DWORD received = 0;
  if (recv_msg(Native(s), &message, &received, nullptr, nullptr) != 0) return Fail<std::size_t>(WSAGetLastError());
  from->length = BoundedAddressLength(message.namelen);
  const char* control_end = control + std::min<std::size_t>(message.Control.len, sizeof control);
  for (WSACMSGHDR* header = WSA_CMSG_FIRSTHDR(&message); header != nullptr;
       header = WSA_CMSG_NXTHDR(&message, header)) {
    // A control message cut short (MSG_CTRUNC) carries less than its type's struct: read none of it. Nor more than
    // the control data the provider wrote: WSA_CMSG_NXTHDR keeps a header inside it, not its cmsg_len.
    const std::size_t claimed = header->cmsg_len < WSA_CMSG_LEN(0) ? 0 : header->cmsg_len - WSA_CMSG_LEN(0);
    const auto* data = reinterpret_cast<const char*>(WSA_CMSG_DATA(header));
    const std::size_t room = data < control_end ? static_cast<std::size_t>(control_end - data) : 0;
    const std::size_t carried = std::min(claimed, room);
    if (header->cmsg_level == IPPROTO_IP && header->cmsg_type == IP_PKTINFO && carried >= sizeof(IN_PKTINFO)) {
      IN_PKTINFO packet{};
      std::memcpy(&packet, WSA_CMSG_DATA(header), sizeof packet);
      *info = PacketInfoFrom(packet.ipi_addr, packet.ipi_ifindex);  // ipi_addr: the datagram's destination
    } else if (header->cmsg_level == IPPROTO_IPV6 && header->cmsg_type == IPV6_PKTINFO &&
               carried >= sizeof(IN6_PKTINFO)) {
      IN6_PKTINFO packet{};
      std::memcpy(&packet, WSA_CMSG_DATA(header), sizeof packet);
      *info = PacketInfoFrom(packet.ipi6_addr, packet.ipi6_ifindex);
    }
  }
  return Ok(Bounded(static_cast<std::size_t>(received), length));
}

Result<std::size_t> SendMsg(NativeSocket s, const void* data, std::size_t length, int flags, const SocketAddress& to,
                            const PacketInfo& info) {
  WSABUF buffer{static_cast<ULONG>(ClampLength(length)), static_cast<char*>(const_cast<void*>(data))};
  char control[WSA_CMSG_SPACE(sizeof(IN6_PKTINFO))] = {};
  WSAMSG message{};
  message.name = reinterpret_cast<sockaddr*>(const_cast<unsigned char*>(to.storage));
  message.namelen = to.length;
  message.lpBuffers = &buffer;
  message.dwBufferCount = 1;
  if (info.present) {
    if (IsIPv6(info)) {
      IN6_PKTINFO packet{};
      packet.ipi6_addr = SourceAddress6(info);
      packet.ipi6_ifindex = info.interface_index;
      message.Control = PutControlMessage(control, IPPROTO_IPV6, IPV6_PKTINFO, packet);
    } else {
      IN_PKTINFO packet{};
      packet.ipi_addr = SourceAddress4(info);  // the source address to use
      packet.ipi_ifindex = info.interface_index;
      message.Control = PutControlMessage(control, IPPROTO_IP, IP_PKTINFO, packet);
    }
  }
  DWORD sent = 0;
  if (WSASendMsg(Native(s), &message, static_cast<DWORD>(flags), &sent, nullptr, nullptr) != 0)
    return Fail<std::size_t>(WSAGetLastError());
  return Ok(static_cast<std::size_t>(sent));
}

Result<int> Poll(std::vector<PollEntry>& entries, int timeout_ms) {
  std::vector<WSAPOLLFD> fds(entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    fds[i].fd = Native(entries[i].socket);
    fds[i].events = entries[i].events;
  }
  const int ready = WSAPoll(fds.data(), static_cast<ULONG>(fds.size()), timeout_ms);
  if (ready == SOCKET_ERROR) return Fail<int>(WSAGetLastError());
  for (std::size_t i = 0; i < entries.size(); ++i) entries[i].revents = fds[i].revents;
  return Ok(ready);
}

Result<int> Select(SelectSets& sets, int timeout_ms) {
  fd_set sets_in[3];
  std::vector<NativeSocket>* lists[3] = {&sets.read, &sets.write, &sets.except};
  for (int set = 0; set < 3; ++set) {
    // An fd_set holds FD_SETSIZE sockets; FD_SET would drop the rest without a word.
    if (lists[set]->size() > FD_SETSIZE) return Fail<int>(WSAEINVAL);
    FD_ZERO(&sets_in[set]);
    for (NativeSocket socket : *lists[set]) FD_SET(Native(socket), &sets_in[set]);
  }
  timeval timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  const int ready = select(0, &sets_in[0], &sets_in[1], &sets_in[2], timeout_ms < 0 ? nullptr : &timeout);
  if (ready == SOCKET_ERROR) return Fail<int>(WSAGetLastError());
  for (int set = 0; set < 3; ++set) {
    std::vector<NativeSocket> ready_sockets;
    for (NativeSocket socket : *lists[set]) {
      if (FD_ISSET(Native(socket), &sets_in[set])) ready_sockets.push_back(socket);
    }
    *lists[set] = std::move(ready_sockets);
  }
  return Ok(ready);
}

Result<NameInfo> GetNameInfo(const SocketAddress& address, int flags) {
  wchar_t host[NI_MAXHOST] = {};
  wchar_t service[NI_MAXSERV] = {};
  const int error = GetNameInfoW(reinterpret_cast<const sockaddr*>(address.storage), address.length, host, NI_MAXHOST,
                                 service, NI_MAXSERV, flags);
  if (error != 0) return Fail<NameInfo>(error);  // like GetAddrInfoW, the WSA number is the return value
  return Ok(NameInfo{Narrow(host), Narrow(service)});
}

Result<std::string> GetHostName() {
  wchar_t name[256] = {};
  if (GetHostNameW(name, 256) != 0) return Fail<std::string>(WSAGetLastError());
  return Ok(Narrow(name));
}

Result<int> TakeSocketError(NativeSocket s) {
  int pending = 0;
  int length = static_cast<int>(sizeof pending);
  if (getsockopt(Native(s), SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&pending), &length) != 0)
    return Fail<int>(WSAGetLastError());
  return Ok(pending);  // already a Winsock number
}

Result<bool> ConnectIsOver(NativeSocket s) {
  // Winsock's select reports a nonblocking connect in writefds once it succeeded and in exceptfds once it failed
  // (select's documentation), and in neither while it is under way. Not WSAPoll: before Windows 10 2004 it did not
  // report a failed connect at all.
  fd_set writable;
  fd_set failed;
  FD_ZERO(&writable);
  FD_ZERO(&failed);
  FD_SET(Native(s), &writable);
  FD_SET(Native(s), &failed);
  timeval no_wait{0, 0};
  const int ready = select(0, nullptr, &writable, &failed, &no_wait);
  if (ready == SOCKET_ERROR) return Fail<bool>(WSAGetLastError());
  return Ok(ready > 0);
}

Result<SocketAddress> GetSockName(NativeSocket s) {
  SocketAddress address;
  int length = static_cast<int>(sizeof address.storage);
  if (getsockname(Native(s), reinterpret_cast<sockaddr*>(address.storage), &length) != 0)
    return Fail<SocketAddress>(WSAGetLastError());
  address.length = BoundedAddressLength(length);
  return Ok(address);
}

Result<SocketAddress> GetPeerName(NativeSocket s) {
  SocketAddress address;
  int length = static_cast<int>(sizeof address.storage);
  if (getpeername(Native(s), reinterpret_cast<sockaddr*>(address.storage), &length) != 0)
    return Fail<SocketAddress>(WSAGetLastError());
  address.length = BoundedAddressLength(length);
  return Ok(address);
}

Result<std::vector<AddressInfo>> GetAddressInfo(const std::string* node, const std::string* service,
                                             const AddressInfoHints& hints) {
  ADDRINFOW query{};
  query.ai_flags = hints.flags;
  query.ai_family = hints.family;
  query.ai_socktype = hints.socktype;
  query.ai_protocol = hints.protocol;
  const std::wstring wide_node = node ? Widen(*node) : std::wstring();
  const std::wstring wide_service = service ? Widen(*service) : std::wstring();
  ADDRINFOW* list = nullptr;
  const int error = ::GetAddrInfoW(node ? wide_node.c_str() : nullptr, service ? wide_service.c_str() : nullptr,
                                 &query, &list);
  if (error != 0) return Fail<std::vector<AddressInfo>>(error);  // GetAddrInfoW returns a WSA number

  std::vector<AddressInfo> entries;
  for (const ADDRINFOW* entry = list; entry != nullptr; entry = entry->ai_next) {
    if (entry->ai_family != AF_INET && entry->ai_family != AF_INET6) continue;
    AddressInfo info;
    info.flags = entry->ai_flags;
    info.family = entry->ai_family;
    info.socktype = entry->ai_socktype;
    info.protocol = entry->ai_protocol;
    if (entry->ai_canonname != nullptr) info.canonname = Narrow(entry->ai_canonname);
    SocketAddress address;
    address.length = BoundedAddressLength(static_cast<long long>(entry->ai_addrlen));
    std::memcpy(address.storage, entry->ai_addr, static_cast<std::size_t>(address.length));
    info.endpoint = DescribeAddress(address);
    entries.push_back(std::move(info));
  }
  FreeAddrInfoW(list);
  return Ok(std::move(entries));
}

}  // namespace winsock::platform
