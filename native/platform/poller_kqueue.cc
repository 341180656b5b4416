// The poller over kqueue (macOS and the BSDs): EV_ONESHOT gives the one-shot arming, one filter per direction, and
// an EVFILT_USER event wakes the waiting thread to stop it. kevent may change the set while another thread waits.
#include <sys/event.h>
#include <sys/types.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>

#include "poller.h"
#include "posix_errors.h"

namespace winsock::platform {

class Poller {
 public:
  int queue = -1;
  std::atomic<bool> stopped{false};
};

namespace {

constexpr uintptr_t kWakeIdent = 0;  // EVFILT_USER's own namespace of identifiers: no descriptor

void* KeyData(std::uint64_t key) { return reinterpret_cast<void*>(static_cast<uintptr_t>(key)); }

}  // namespace

Result<Poller*> OpenPoller() {
  auto* poller = new Poller();
  poller->queue = kqueue();
  struct kevent wake;
  EV_SET(&wake, kWakeIdent, EVFILT_USER, EV_ADD | EV_CLEAR, 0, 0, nullptr);
  if (poller->queue == -1 || fcntl(poller->queue, F_SETFD, FD_CLOEXEC) == -1 ||
      kevent(poller->queue, &wake, 1, nullptr, 0, nullptr) == -1) {
    const int error = ErrnoToWinsock(errno);
    ClosePoller(poller);
    return Fail<Poller*>(error);
  }
  return Ok(poller);
}

void ClosePoller(Poller* poller) {
  if (poller->queue != -1) close(poller->queue);
  delete poller;
}

int SetNonBlocking(NativeSocket s) {
  const int fd = static_cast<int>(s);
  const int flags = fcntl(fd, F_GETFL);
  if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1) return ErrnoToWinsock(errno);
  return 0;
}

int ArmPoller(Poller* poller, NativeSocket s, std::uint64_t key, int events) {
  struct kevent changes[2];
  int count = 0;
  const auto fd = static_cast<uintptr_t>(s);
  if ((events & kPollerReadable) != 0) EV_SET(&changes[count++], fd, EVFILT_READ, EV_ADD | EV_ONESHOT, 0, 0, KeyData(key));
  if ((events & kPollerWritable) != 0) EV_SET(&changes[count++], fd, EVFILT_WRITE, EV_ADD | EV_ONESHOT, 0, 0, KeyData(key));
  return kevent(poller->queue, changes, count, nullptr, 0, nullptr) == -1 ? ErrnoToWinsock(errno) : 0;
}

void DisarmPoller(Poller* poller, NativeSocket s) {
  // One change per call: a filter that is not armed fails with ENOENT, which must not stop the other's removal.
  const auto fd = static_cast<uintptr_t>(s);
  for (const auto filter : {static_cast<std::int16_t>(EVFILT_READ), static_cast<std::int16_t>(EVFILT_WRITE)}) {
    struct kevent change;
    EV_SET(&change, fd, filter, EV_DELETE, 0, 0, nullptr);
    kevent(poller->queue, &change, 1, nullptr, 0, nullptr);
  }
}

int WaitPoller(Poller* poller, std::vector<PollerEvent>* events) {
  struct kevent ready[64];
  int count = -1;
  while (count == -1) {
    if (poller->stopped.load()) return wsa::kInterrupted;
    count = kevent(poller->queue, nullptr, 0, ready, 64, nullptr);
    if (count == -1 && errno != EINTR) return ErrnoToWinsock(errno);
  }
  for (int i = 0; i < count; ++i) {
    if (ready[i].filter == EVFILT_USER) continue;  // only StopPoller triggers it: seen at the loop's next turn
    int found = ready[i].filter == EVFILT_READ ? kPollerReadable : kPollerWritable;
    // An error or end of stream wakes every waiting call: each finds the real error when it tries again.
    if ((ready[i].flags & (EV_EOF | EV_ERROR)) != 0) found |= kPollerReadable | kPollerWritable;
    events->push_back({static_cast<std::uint64_t>(reinterpret_cast<uintptr_t>(ready[i].udata)), found});
  }
  return poller->stopped.load() ? wsa::kInterrupted : 0;
}

void StopPoller(Poller* poller) {
  poller->stopped.store(true);
  struct kevent trigger;
  EV_SET(&trigger, kWakeIdent, EVFILT_USER, 0, NOTE_TRIGGER, 0, nullptr);
  kevent(poller->queue, &trigger, 1, nullptr, 0, nullptr);
}

}  // namespace winsock::platform
