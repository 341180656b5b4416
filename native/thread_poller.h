// The readiness backend for runtimes without a libuv loop (see readiness_backend.h): the platform's poller
// (platform/poller.h: epoll, kqueue, WSAPoll) on one thread per environment, started at the first async use. The
// thread reports ready socket ids through a napi_threadsafe_function; on the JavaScript thread each id is looked up
// in the addon's registry (a socket closed meanwhile is simply not found) and delivered as uv_poll's are.
//
// Cost: one arming syscall per wait (the poller is one-shot), plus a hop between threads per batch of events.
#pragma once

#include <napi.h>

#include <cstdint>
#include <thread>
#include <unordered_map>

#include "platform/poller.h"
#include "readiness_backend.h"

namespace winsock {

class SocketHandle;
class WinsockAddon;

class ThreadPoller {
 public:
  // Starts the poller and its thread, or returns nullptr with `*error` set to a Winsock error number.
  static ThreadPoller* Start(WinsockAddon& addon, int* error);
  // Stops and joins the thread (the addon's teardown, or its destructor). The object frees itself once the
  // thread-safe function is finalized; the addon must not use it after this.
  void Shutdown();

  // A watcher for `owner`'s socket, made nonblocking here; nullptr with `*error` set when it cannot be.
  SocketWatcher* Watch(SocketHandle& owner, int* error);

 private:
  class Watcher;
  ThreadPoller(WinsockAddon& addon, platform::Poller* poller) : addon_(addon), poller_(poller) {}
  ~ThreadPoller();
  ThreadPoller(const ThreadPoller&) = delete;
  ThreadPoller& operator=(const ThreadPoller&) = delete;

  void Run();
  void StopThread();
  // Keeps the event loop alive while some call waits, as uv_poll's ref'd handles do. JavaScript thread only.
  void WaiterAdded();
  void WaiterRemoved();
  // Delivers one report of the thread, on the JavaScript thread.
  void Deliver(std::uint64_t key, int events);
  static void CallJs(napi_env env, napi_value callback, void* context, void* data);
  static void OnFinalized(napi_env env, void* data, void* hint);

  WinsockAddon& addon_;
  platform::Poller* poller_;
  napi_threadsafe_function events_ = nullptr;
  std::thread thread_;
  std::unordered_map<std::uint64_t, Watcher*> watchers_;  // by socket id
  int waiters_ = 0;  // sockets with a nonzero interest that keep the loop alive (not unref'd)
  bool finalized_ = false;  // events_ is gone (the environment finalized it)
  bool shut_down_ = false;  // the addon let go of this object
};

}  // namespace winsock
