// The poller over Winsock's WSAPoll. WSAPoll has neither one-shot arming nor a way to change its set while it
// waits, so the set lives here: the thread polls a copy, a datagram sent to a loopback UDP socket of its own wakes
// it when the set changes, and a reported socket leaves the set (one-shot). A socket must not be closed while a
// WSAPoll call holds it (its handle could be reused), so DisarmPoller waits for that call to end.
// WSAPoll reports a failed nonblocking connect only from Windows 10 2004 on (before, it never did): the async
// connect on older Windows relies on its timeout there.
#include <condition_variable>
#include <mutex>
#include <unordered_map>

#include "poller.h"
#include "system.h"

namespace winsock::platform {

class Poller {
 public:
  struct Armed {
    std::uint64_t key;
    int events;
  };
  std::mutex mutex;
  std::condition_variable poll_ended;
  std::unordered_map<SOCKET, Armed> armed;
  std::vector<SOCKET> polling;  // the sockets of the WSAPoll call under way
  bool in_poll = false;
  std::uint64_t polls = 0;  // WSAPoll calls ended
  bool stopped = false;
  bool wake_pending = false;  // a wake datagram is on its way: one is enough
  SOCKET wake = INVALID_SOCKET;
  sockaddr_in wake_address{};
};

namespace {

// ioctlsocket takes a long; FIONBIO is an unsigned long constant (_IOW's) above LONG_MAX.
const long kNonBlockingIoctl = static_cast<long>(FIONBIO);

// Sends the wake socket a datagram from itself, unless one is on its way already (many sockets armed while the
// thread polls cost one wakeup). A full buffer means a wakeup is pending anyway. Called with the mutex held.
void Wake(Poller* poller) {
  if (poller->wake_pending) return;
  poller->wake_pending = true;
  const char byte = 0;
  sendto(poller->wake, &byte, 1, 0, reinterpret_cast<const sockaddr*>(&poller->wake_address),
         static_cast<int>(sizeof poller->wake_address));
}

void DrainWakeups(Poller* poller) {
  char buffer[64];
  while (recv(poller->wake, buffer, static_cast<int>(sizeof buffer), 0) > 0) {
  }
}

}  // namespace

Result<Poller*> OpenPoller() {
  auto* poller = new Poller();
  poller->wake = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  poller->wake_address.sin_family = AF_INET;
  poller->wake_address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int length = static_cast<int>(sizeof poller->wake_address);
  u_long nonblocking = 1;
  if (poller->wake == INVALID_SOCKET ||
      bind(poller->wake, reinterpret_cast<const sockaddr*>(&poller->wake_address), length) != 0 ||
      getsockname(poller->wake, reinterpret_cast<sockaddr*>(&poller->wake_address), &length) != 0 ||
      ioctlsocket(poller->wake, kNonBlockingIoctl, &nonblocking) != 0) {
    const int error = WSAGetLastError();
    ClosePoller(poller);
    return Fail<Poller*>(error);
  }
  return Ok(poller);
}

void ClosePoller(Poller* poller) {
  if (poller->wake != INVALID_SOCKET) closesocket(poller->wake);
  delete poller;
}

int SetNonBlocking(NativeSocket s) {
  u_long nonblocking = 1;
  return ioctlsocket(static_cast<SOCKET>(s), kNonBlockingIoctl, &nonblocking) == 0 ? 0 : WSAGetLastError();
}

int ArmPoller(Poller* poller, NativeSocket s, std::uint64_t key, int events) {
  std::lock_guard<std::mutex> lock(poller->mutex);
  poller->armed[static_cast<SOCKET>(s)] = {key, events};
  if (poller->in_poll) Wake(poller);
  return 0;
}

void DisarmPoller(Poller* poller, NativeSocket s) {
  const auto socket = static_cast<SOCKET>(s);
  std::unique_lock<std::mutex> lock(poller->mutex);
  poller->armed.erase(socket);
  if (!poller->in_poll) return;
  bool held = false;
  for (const SOCKET polled : poller->polling) held = held || polled == socket;
  if (!held) return;
  const std::uint64_t until = poller->polls + 1;
  Wake(poller);
  poller->poll_ended.wait(lock, [&] { return poller->polls >= until; });
}

int WaitPoller(Poller* poller, std::vector<PollerEvent>* events) {
  std::vector<WSAPOLLFD> fds;
  {
    std::lock_guard<std::mutex> lock(poller->mutex);
    if (poller->stopped) return wsa::kInterrupted;
    fds.push_back({poller->wake, POLLRDNORM, 0});
    for (const auto& [socket, armed] : poller->armed) {
      SHORT wanted = 0;
      if ((armed.events & kPollerReadable) != 0) wanted |= POLLRDNORM;
      if ((armed.events & kPollerWritable) != 0) wanted |= POLLWRNORM;
      fds.push_back({socket, wanted, 0});
      poller->polling.push_back(socket);
    }
    poller->in_poll = true;
  }
  const int count = WSAPoll(fds.data(), static_cast<ULONG>(fds.size()), -1);
  const int error = count == SOCKET_ERROR ? WSAGetLastError() : 0;

  std::lock_guard<std::mutex> lock(poller->mutex);
  poller->in_poll = false;
  poller->polling.clear();
  ++poller->polls;
  poller->poll_ended.notify_all();
  if (error != 0) return error;
  if (fds[0].revents != 0) {
    DrainWakeups(poller);
    poller->wake_pending = false;
  }
  for (std::size_t i = 1; i < fds.size(); ++i) {
    const SHORT revents = fds[i].revents;
    const auto found = poller->armed.find(fds[i].fd);
    if (revents == 0 || found == poller->armed.end()) continue;
    int ready = 0;
    if ((revents & (POLLRDNORM | POLLRDBAND)) != 0) ready |= kPollerReadable;
    if ((revents & POLLWRNORM) != 0) ready |= kPollerWritable;
    // An error or hang-up wakes every waiting call: each finds the real error when it tries again.
    if ((revents & (POLLERR | POLLHUP | POLLNVAL)) != 0) ready |= kPollerReadable | kPollerWritable;
    events->push_back({found->second.key, ready});
    poller->armed.erase(found);
  }
  return poller->stopped ? wsa::kInterrupted : 0;
}

void StopPoller(Poller* poller) {
  std::lock_guard<std::mutex> lock(poller->mutex);
  poller->stopped = true;
  Wake(poller);
}

}  // namespace winsock::platform
