// The poller over Linux's epoll: EPOLLONESHOT gives the one-shot arming, and an eventfd wakes the waiting thread to
// stop it. epoll_ctl may be called while another thread waits in epoll_wait (epoll(7)).
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "poller.h"
#include "posix_errors.h"

namespace winsock::platform {

class Poller {
 public:
  int epoll = -1;
  int wake = -1;  // eventfd, registered under kWakeKey
  std::atomic<bool> stopped{false};
};

namespace {

// Socket ids start at 1 (WinsockAddon::Track), so no socket has this key.
constexpr std::uint64_t kWakeKey = 0;

std::uint32_t EpollEvents(int events) {
  std::uint32_t bits = EPOLLONESHOT;
  if ((events & kPollerReadable) != 0) bits |= EPOLLIN | EPOLLRDHUP;
  if ((events & kPollerWritable) != 0) bits |= EPOLLOUT;
  return bits;
}

}  // namespace

Result<Poller*> OpenPoller() {
  auto* poller = new Poller();
  poller->epoll = epoll_create1(EPOLL_CLOEXEC);
  if (poller->epoll == -1) {
    const int error = ErrnoToWinsock(errno);
    delete poller;
    return Fail<Poller*>(error);
  }
  poller->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kWakeKey;
  if (poller->wake == -1 || epoll_ctl(poller->epoll, EPOLL_CTL_ADD, poller->wake, &event) == -1) {
    const int error = ErrnoToWinsock(errno);
    ClosePoller(poller);
    return Fail<Poller*>(error);
  }
  return Ok(poller);
}

void ClosePoller(Poller* poller) {
  if (poller->wake != -1) close(poller->wake);
  if (poller->epoll != -1) close(poller->epoll);
  delete poller;
}

int SetNonBlocking(NativeSocket s) {
  const int fd = static_cast<int>(s);
  const int flags = fcntl(fd, F_GETFL);
  if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) return ErrnoToWinsock(errno);
  return 0;
}

int ArmPoller(Poller* poller, NativeSocket s, std::uint64_t key, int events) {
  epoll_event event{};
  event.events = EpollEvents(events);
  event.data.u64 = key;
  const int fd = static_cast<int>(s);
  if (epoll_ctl(poller->epoll, EPOLL_CTL_MOD, fd, &event) == 0) return 0;
  if (errno != ENOENT) return ErrnoToWinsock(errno);
  return epoll_ctl(poller->epoll, EPOLL_CTL_ADD, fd, &event) == 0 ? 0 : ErrnoToWinsock(errno);
}

void DisarmPoller(Poller* poller, NativeSocket s) {
  // ENOENT (never armed) is fine: closing the descriptor would drop it from the set anyway, unless it was shared.
  epoll_ctl(poller->epoll, EPOLL_CTL_DEL, static_cast<int>(s), nullptr);
}

int WaitPoller(Poller* poller, std::vector<PollerEvent>* events) {
  epoll_event ready[64];
  int count = -1;
  while (count == -1) {
    if (poller->stopped.load()) return wsa::kInterrupted;
    count = epoll_wait(poller->epoll, ready, 64, -1);
    if (count == -1 && errno != EINTR) return ErrnoToWinsock(errno);
  }
  for (int i = 0; i < count; ++i) {
    if (ready[i].data.u64 == kWakeKey) continue;  // only StopPoller writes it: seen at the loop's next turn
    const std::uint32_t bits = ready[i].events;
    int found = 0;
    if ((bits & (EPOLLIN | EPOLLRDHUP)) != 0) found |= kPollerReadable;
    if ((bits & EPOLLOUT) != 0) found |= kPollerWritable;
    // An error or hang-up wakes every waiting call: each finds the real error when it tries again.
    if ((bits & (EPOLLERR | EPOLLHUP)) != 0) found |= kPollerReadable | kPollerWritable;
    events->push_back({ready[i].data.u64, found});
  }
  return poller->stopped.load() ? wsa::kInterrupted : 0;
}

void StopPoller(Poller* poller) {
  poller->stopped.store(true);
  const std::uint64_t one = 1;
  // The counter never overflows from one write per poller: the result needs no check.
  [[maybe_unused]] const ssize_t written = write(poller->wake, &one, sizeof one);
}

}  // namespace winsock::platform
