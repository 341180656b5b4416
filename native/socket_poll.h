// Readiness of one socket on the Node event loop: one uv_poll_t, made with uv_poll_init_socket (which also makes
// the socket nonblocking, as Winsock's FIONBIO does).
//
// The cost model is libuv's: on Linux a uv_poll_stop that clears every event removes the descriptor from epoll and
// the next uv_poll_start adds it back, two syscalls per wait. So a poll is stopped lazily: when nobody waits it is
// only unref'd (it never keeps the process alive), and it is stopped or narrowed when it next fires with nobody, or
// fewer, waiting. A spurious or unwanted wakeup costs one callback; a busy socket costs no epoll_ctl at all.
#pragma once

#include <uv.h>

#include "platform/platform.h"
#include "readiness_backend.h"

namespace winsock {

class SocketHandle;
class WinsockAddon;

class SocketPoll final : public SocketWatcher {
 public:
  // Readiness bits, as uv_poll's.
  static constexpr int kReadable = UV_READABLE;
  static constexpr int kWritable = UV_WRITABLE;
  // POLLPRI: out-of-band data, and (as every interest) error conditions. Only where platform::CanWatchPriorityData.
  static constexpr int kPrioritized = UV_PRIORITIZED;
  // Every event a wait can be for on this OS.
  static int Watchable() { return kReadable | kWritable | (platform::CanWatchPriorityData() ? kPrioritized : 0); }

  // Returns a new poll for `socket`, or nullptr with `*error` set to a Winsock error number.
  static SocketPoll* Create(WinsockAddon& addon, SocketHandle& owner, platform::NativeSocket socket, int* error);

  // The events JavaScript now waits for; 0 when nothing waits. Returns a Winsock error number, 0 on success.
  int SetInterest(int events) override;
  void SetKeepsLoopAlive(bool keeps) override;
  // Detaches from the owner and frees the uv handle through uv_close. The socket may be closed right after.
  void Close() override;

 private:
  SocketPoll(WinsockAddon& addon, SocketHandle& owner) : addon_(&addon), owner_(&owner) {}
  static void OnReady(uv_poll_t* handle, int status, int events);
  static void OnClosed(uv_handle_t* handle);

  uv_poll_t handle_{};
  WinsockAddon* addon_;
  SocketHandle* owner_;
  int interest_ = 0;  // what JavaScript waits for
  int started_ = 0;   // what uv_poll is started with; may lag behind interest_ until the next wakeup
  bool keeps_loop_alive_ = true;  // false after unref(): even a wait leaves the handle unref'd
};

}  // namespace winsock
