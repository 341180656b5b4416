// select and WSAPoll over poll(2), answering as Winsock does. poll(2) reports what the kernel sees, and Linux's view
// of a TCP socket differs from Winsock's in ways Wine's ws2_32 tests (dlls/ws2_32/tests/sock.c: test_select,
// test_WSAPoll, test_errors) show on Windows:
// - a socket never connected is ready for nothing (Linux: writable and hung up);
// - a failed connect is in exceptfds only (Linux: readable, writable and in error); WSAPoll reports it
//   POLLHUP | POLLERR, with POLLWRNORM when asked;
// - a socket listed twice in one set is one ready socket.
// Each socket's state comes from posix_state.cc; the kernel's events then say whether a state's condition holds.
#include <algorithm>
#include <chrono>
#include <cerrno>

#include "platform.h"
#include "posix_state.h"
#include "system.h"

namespace winsock::platform {
namespace {

using Clock = std::chrono::steady_clock;

// Milliseconds left before `deadline` (timeout_ms < 0: no deadline, -1).
int RemainingMs(int timeout_ms, Clock::time_point deadline) {
  if (timeout_ms < 0) return -1;
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// poll(2), resumed after a signal with what is left of the timeout, as Winsock's call would.
int PollKernel(std::vector<pollfd>& fds, int timeout_ms, Clock::time_point deadline) {
  int ready;
  int wait_ms = timeout_ms;
  while ((ready = poll(fds.data(), static_cast<nfds_t>(fds.size()), wait_ms)) == -1 && errno == EINTR) {
    wait_ms = RemainingMs(timeout_ms, deadline);
  }
  return ready;
}

#ifdef POLLRDHUP
constexpr short kPeerClosed = POLLRDHUP;  // Linux: the peer shut its side down
#else
constexpr short kPeerClosed = 0;
#endif

bool HasConnection(posix::StreamState state) {
  return state == posix::StreamState::kConnected || state == posix::StreamState::kDisconnected;
}

// WSAPoll's answer for a connection, from the kernel's (test_WSAPoll, test_tcp_reset): the peer's shutdown is
// POLLHUP, with POLLRDNORM only while data is left to read; after the socket's own SD_RECEIVE nothing is readable.
short WinsockConnectionEvents(int fd, short revents) {
  if (posix::Recall(fd).receive_shut) {
    revents = static_cast<short>(revents & ~(POLLIN | POLLRDNORM | POLLHUP | kPeerClosed));
  } else if ((revents & kPeerClosed) != 0) {
    revents = static_cast<short>(revents | POLLHUP);
    int unread = 0;
    if (ioctl(fd, FIONREAD, &unread) == 0 && unread == 0) revents = static_cast<short>(revents & ~(POLLIN | POLLRDNORM));
  }
  return static_cast<short>(revents & ~kPeerClosed);
}

bool CanBecomeReady(posix::StreamState state) {
  return state != posix::StreamState::kIdle && state != posix::StreamState::kFailed;
}

// Urgent data read inline (SO_OOBINLINE) is normal data to Winsock: it never puts the socket in exceptfds.
bool ReadsUrgentInline(int fd) {
  int inline_urgent = 0;
  socklen_t length = sizeof inline_urgent;
  return getsockopt(fd, SOL_SOCKET, SO_OOBINLINE, &inline_urgent, &length) == 0 && inline_urgent != 0;
}

// Whether a socket in `state` with kernel events `revents` belongs in select's read (0), write (1) or except (2) set.
bool SelectReady(int set, int fd, posix::StreamState state, short revents) {
  using posix::StreamState;
  switch (state) {
    case StreamState::kIdle:
    case StreamState::kConnecting: return false;
    case StreamState::kFailed: return set == 2;
    case StreamState::kListening: return set == 0 && (revents & POLLIN) != 0;
    default: break;
  }
  if (set == 0) return (revents & (POLLIN | POLLHUP | POLLERR)) != 0;
  if (set == 1) return (revents & POLLOUT) != 0;
  return (revents & POLLPRI) != 0 && !ReadsUrgentInline(fd);
}

}  // namespace

Result<int> Poll(std::vector<PollEntry>& entries, int timeout_ms) {
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  std::vector<pollfd> fds(entries.size());
  std::vector<posix::StreamState> states(entries.size());
  for (;;) {
    bool failed_now = false;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const int fd = static_cast<int>(entries[i].socket);
      states[i] = posix::Classify(fd);
      failed_now = failed_now || states[i] == posix::StreamState::kFailed;
      // A socket that cannot become ready is left out (-1): Linux would report a fresh socket hung up at once.
      const short events = HasConnection(states[i]) ? static_cast<short>(entries[i].events | kPeerClosed) : entries[i].events;
      fds[i] = pollfd{CanBecomeReady(states[i]) ? fd : -1, events, 0};
    }
    const int ready = PollKernel(fds, failed_now ? 0 : timeout_ms, deadline);
    if (ready == -1) return Fail<int>(posix::FromErrno(errno));
    int count = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
      short revents = fds[i].revents;
      if (states[i] == posix::StreamState::kFailed) {
        revents = static_cast<short>((entries[i].events & (POLLOUT | POLLWRNORM)) | POLLHUP | POLLERR);
      } else if (states[i] == posix::StreamState::kConnecting && (revents & POLLERR) != 0) {
        revents = 0;  // failed just now: the next round reports it as a failed connect
      } else if (HasConnection(states[i])) {
        revents = WinsockConnectionEvents(static_cast<int>(entries[i].socket), revents);
      }
      entries[i].revents = revents;
      if (revents != 0) ++count;
    }
    if (count > 0 || ready == 0 || RemainingMs(timeout_ms, deadline) == 0) return Ok(count);
    timeout_ms = RemainingMs(timeout_ms, deadline);
  }
}

Result<int> Select(SelectSets& sets, int timeout_ms) {
  if (sets.read.empty() && sets.write.empty() && sets.except.empty()) return Fail<int>(wsa::kInvalidArgument);
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  std::vector<NativeSocket>* lists[3] = {&sets.read, &sets.write, &sets.except};
  const short wanted[3] = {POLLIN, POLLOUT, POLLPRI};
  // One poll entry per distinct socket, asking for the events of every set it is in.
  std::vector<NativeSocket> sockets;
  std::vector<short> events;
  for (int set = 0; set < 3; ++set) {
    for (NativeSocket s : *lists[set]) {
      const auto found = std::find(sockets.begin(), sockets.end(), s);
      if (found == sockets.end()) {
        sockets.push_back(s);
        events.push_back(wanted[set]);
      } else {
        events[static_cast<std::size_t>(found - sockets.begin())] |= wanted[set];
      }
    }
  }
  // A socket whose events never make it ready (a connected socket in exceptfds that the peer reset) is left out of
  // later rounds, so the wait does not spin on it.
  std::vector<bool> quiet(sockets.size(), false);
  std::vector<pollfd> fds(sockets.size());
  std::vector<posix::StreamState> states(sockets.size());
  for (;;) {
    bool failed_now = false;
    for (std::size_t i = 0; i < sockets.size(); ++i) {
      const int fd = static_cast<int>(sockets[i]);
      states[i] = posix::Classify(fd);
      failed_now = failed_now || ((events[i] & POLLPRI) != 0 && states[i] == posix::StreamState::kFailed);
      fds[i] = pollfd{CanBecomeReady(states[i]) && !quiet[i] ? fd : -1, events[i], 0};
    }
    const int polled = PollKernel(fds, failed_now ? 0 : timeout_ms, deadline);
    if (polled == -1) return Fail<int>(posix::FromErrno(errno));
    for (const pollfd& entry : fds) {
      if (entry.revents & POLLNVAL) return Fail<int>(wsa::kNotSocket);
    }
    SelectSets ready;
    std::vector<NativeSocket>* ready_lists[3] = {&ready.read, &ready.write, &ready.except};
    int count = 0;
    std::vector<bool> counted(sockets.size(), false);
    for (int set = 0; set < 3; ++set) {
      for (std::size_t i = 0; i < sockets.size(); ++i) {
        const bool listed = std::find(lists[set]->begin(), lists[set]->end(), sockets[i]) != lists[set]->end();
        if (!listed || !SelectReady(set, static_cast<int>(sockets[i]), states[i], fds[i].revents)) continue;
        ready_lists[set]->push_back(sockets[i]);
        counted[i] = true;
        ++count;
      }
    }
    for (std::size_t i = 0; i < sockets.size(); ++i) {
      if (fds[i].revents != 0 && !counted[i] && states[i] != posix::StreamState::kConnecting) quiet[i] = true;
    }
    const int left = RemainingMs(timeout_ms, deadline);
    if (count > 0 || left == 0) {
      sets = std::move(ready);
      return Ok(count);
    }
    timeout_ms = left;
  }
}

}  // namespace winsock::platform
