// The Winsock state the POSIX build keeps beside the kernel's (posix_state.h says what and why).
#include "posix_state.h"

#include <mutex>
#include <unordered_map>

#include "system.h"

namespace winsock::platform::posix {
namespace {

// Process-wide, as descriptors are: any thread (the main one, a worker) may ask about any socket.
std::mutex table_mutex;
std::unordered_map<int, Remembered>& Table() {
  static auto* table = new std::unordered_map<int, Remembered>();  // never destroyed: threads may outlive exit
  return *table;
}

bool HasPeer(int fd) {
  sockaddr_storage peer{};
  socklen_t length = sizeof peer;
  return getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) == 0;
}

// Linux tells a connect under way (SYN_SENT) apart from a socket that never tried; elsewhere assume one is under way,
// which costs a poll that answers when it ends.
bool IsConnecting(int fd) {
#if defined(__linux__) && defined(TCP_INFO)
  tcp_info info{};
  socklen_t length = sizeof info;
  if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) == -1) return false;
  return info.tcpi_state == TCP_SYN_SENT;
#else
  (void)fd;
  return true;
#endif
}

}  // namespace

int SocketType(int fd) {
  int type = 0;
  socklen_t length = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &length) == -1) return -1;
  return type;
}

bool IsListening(int fd) {
  int listening = 0;
  socklen_t length = sizeof listening;
  return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0 && listening != 0;
}

void Forget(int fd) {
  std::lock_guard<std::mutex> lock(table_mutex);
  Table().erase(fd);
}

void RememberConnected(int fd) {
  std::lock_guard<std::mutex> lock(table_mutex);
  Remembered& entry = Table()[fd];
  entry.was_connected = true;
  entry.connect_failed = false;
  entry.connect_error = 0;
}

void RememberConnectFailure(int fd, int error) {
  std::lock_guard<std::mutex> lock(table_mutex);
  Remembered& entry = Table()[fd];
  entry.connect_failed = true;
  entry.connect_error = error;
}

void RememberReceiveShutdown(int fd) {
  std::lock_guard<std::mutex> lock(table_mutex);
  Table()[fd].receive_shut = true;
}

Remembered Recall(int fd) {
  std::lock_guard<std::mutex> lock(table_mutex);
  const auto found = Table().find(fd);
  return found == Table().end() ? Remembered{} : found->second;
}

int PendingError(int fd) {
  int pending = 0;
  socklen_t length = sizeof pending;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &pending, &length) == -1) return 0;
  const Remembered known = Recall(fd);
  if (pending == 0) return known.connect_error;
  const int error = FromErrno(pending);
  // An error before any connection is the connect's outcome, which Winsock keeps reporting; a later one (a reset)
  // is reported once, as Linux does.
  if (!known.was_connected && SocketType(fd) == SOCK_STREAM && !HasPeer(fd)) RememberConnectFailure(fd, error);
  return error;
}

StreamState Classify(int fd) {
  if (SocketType(fd) != SOCK_STREAM) return StreamState::kNotStream;
  if (IsListening(fd)) return StreamState::kListening;
  if (HasPeer(fd)) {
    if (!Recall(fd).was_connected) RememberConnected(fd);
    return StreamState::kConnected;
  }
  if (Recall(fd).was_connected) return StreamState::kDisconnected;
  PendingError(fd);  // a connect that failed since we last looked is remembered now
  if (Recall(fd).connect_failed) return StreamState::kFailed;
  return IsConnecting(fd) ? StreamState::kConnecting : StreamState::kIdle;
}

}  // namespace winsock::platform::posix
