// How a socket's readiness reaches JavaScript. Two backends, chosen once per environment before the first async
// call (src/runtime.ts decides, WinsockAddon::SetReadinessBackend records it):
//  - uv_poll (socket_poll.*): a uv_poll_t on the loop from napi_get_uv_event_loop. Node's fast path.
//  - the thread poller (thread_poller.*): a poller of the addon's own (platform/poller.h) on one thread per
//    environment, reporting through a napi_threadsafe_function. For runtimes whose napi_get_uv_event_loop has no
//    real libuv loop behind it (Bun panics at any uv_* call; Deno has no uv_poll), and under Node on request.
// Both deliver readiness once per wait (WinsockAddon::DeliverReadiness) and keep the process alive only while a
// call waits on a socket that was not unref'd.
#pragma once

namespace winsock {

enum class ReadinessBackend { kUvPoll, kThreadPoller };

// Readiness bits on both backends: uv_poll's UV_READABLE and UV_WRITABLE (socket_poll.cc checks), which
// src/readiness.ts knows as READABLE and WRITABLE.
inline constexpr int kReadinessReadable = 1;
inline constexpr int kReadinessWritable = 2;

// One socket's watcher, made at the socket's first async use (SocketHandle::MakeNonBlocking), which also makes the
// socket nonblocking for good, as Winsock's FIONBIO does.
class SocketWatcher {
 public:
  virtual ~SocketWatcher() = default;
  // The events JavaScript now waits for (kReadinessReadable | kReadinessWritable); 0 when nothing waits. Returns a
  // Winsock error number, 0 on success.
  virtual int SetInterest(int events) = 0;
  // node:net's ref()/unref(): whether a call waiting on this socket keeps the event loop (the process) alive.
  virtual void SetKeepsLoopAlive(bool keeps) = 0;
  // Detaches from the owner and frees the watcher (now or once its backend is done with it). The socket may be
  // closed right after.
  virtual void Close() = 0;
};

}  // namespace winsock
