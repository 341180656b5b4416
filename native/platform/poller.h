// A readiness poller of the addon's own, for runtimes that load Node-API addons but have no libuv loop behind
// napi_get_uv_event_loop (Bun, Deno): epoll on Linux (poller_epoll.cc), kqueue on macOS and the BSDs
// (poller_kqueue.cc), WSAPoll on Windows (poller_wsapoll.cc). binding.gyp and CMakeLists.txt compile exactly one.
//
// One thread waits in WaitPoller; the JavaScript thread arms and disarms sockets. Arming is one-shot, as the addon
// delivers readiness once (WinsockAddon::DeliverReadiness): after reporting a socket, the poller watches it no more
// until it is armed again. Each arming carries a key (the addon's socket id, never reused), which the event reports
// back, so an event that races with a close names a socket the addon no longer has, never a new one.
#pragma once

#include <cstdint>
#include <vector>

#include "platform.h"

namespace winsock::platform {

// Readiness bits, the addon's (and uv_poll's) values.
inline constexpr int kPollerReadable = 1;
inline constexpr int kPollerWritable = 2;

struct PollerEvent {
  std::uint64_t key = 0;
  int events = 0;  // kPollerReadable | kPollerWritable; both for an error condition (a failed connect, a reset)
};

class Poller;

// A new poller, or the Winsock error that prevented it.
Result<Poller*> OpenPoller();
// Frees the poller; no thread may be waiting in it.
void ClosePoller(Poller* poller);
// Makes the socket nonblocking, as uv_poll_init_socket does for the uv_poll path (FIONBIO / O_NONBLOCK).
int SetNonBlocking(NativeSocket s);
// Watches `s` for `events` until the first of them is reported, replacing any arming before. Any thread.
int ArmPoller(Poller* poller, NativeSocket s, std::uint64_t key, int events);
// Stops watching `s`, before it is closed: once this returns the poller no longer uses the socket. Any thread.
void DisarmPoller(Poller* poller, NativeSocket s);
// Blocks until some sockets are ready, appending them to `events`. Returns 0, or WSAEINTR once StopPoller was
// called (the thread should then end), or the OS error.
int WaitPoller(Poller* poller, std::vector<PollerEvent>* events);
// Makes WaitPoller return WSAEINTR, now and on every later call. Any thread.
void StopPoller(Poller* poller);

}  // namespace winsock::platform
