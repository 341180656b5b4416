#include "thread_poller.h"

#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include "addon.h"
#include "socket_handle.h"

namespace winsock {

static_assert(platform::kPollerReadable == kReadinessReadable && platform::kPollerWritable == kReadinessWritable,
              "the platform poller reports the addon's readiness bits");

// One socket's arming. The poller is one-shot: after it reports the socket, the socket is armed again only when
// some call still waits (Deliver) or starts to wait (SetInterest).
class ThreadPoller::Watcher final : public SocketWatcher {
 public:
  Watcher(ThreadPoller& poller, SocketHandle& owner) : poller_(poller), owner_(owner) {}

  int SetInterest(int events) override {
    const bool counted = Counted();
    interest_ = events;
    Recount(counted);
    // Nothing waits: left armed, as uv_poll is stopped lazily; a wakeup nobody wants is dropped in Deliver.
    if (events == 0 || (armed_ & events) == events) return 0;
    const int error = platform::ArmPoller(poller_.poller_, owner_.Native(), owner_.Id(), armed_ | events);
    if (error == 0) armed_ |= events;
    return error;
  }

  void SetKeepsLoopAlive(bool keeps) override {
    const bool counted = Counted();
    keeps_loop_alive_ = keeps;
    Recount(counted);
  }

  void Close() override {
    if (Counted()) poller_.WaiterRemoved();
    platform::DisarmPoller(poller_.poller_, owner_.Native());
    poller_.watchers_.erase(owner_.Id());
    delete this;
  }

  int Interest() const { return interest_; }
  // The poller reported the socket, and so no longer watches it.
  void Disarmed() { armed_ = 0; }
  // Arms the socket again for the calls still waiting, if any. Returns a Winsock error number, 0 on success.
  int Rearm() {
    if (interest_ == 0 || armed_ != 0) return 0;
    const int error = platform::ArmPoller(poller_.poller_, owner_.Native(), owner_.Id(), interest_);
    if (error == 0) armed_ = interest_;
    return error;
  }
  SocketHandle& Owner() const { return owner_; }

 private:
  // Whether this socket is among the poller's waiters, which keep the event loop alive: a call waits on it and it
  // was not unref'd.
  bool Counted() const { return interest_ != 0 && keeps_loop_alive_; }
  void Recount(bool was_counted) {
    if (!was_counted && Counted()) poller_.WaiterAdded();
    if (was_counted && !Counted()) poller_.WaiterRemoved();
  }

  ThreadPoller& poller_;
  SocketHandle& owner_;
  bool keeps_loop_alive_ = true;
  int interest_ = 0;  // what JavaScript waits for
  int armed_ = 0;     // what the poller watches for; may exceed interest_ until the next report
};

ThreadPoller* ThreadPoller::Start(WinsockAddon& addon, int* error) {
  const platform::Result<platform::Poller*> opened = platform::OpenPoller();
  if (!opened.ok()) {
    *error = opened.error;
    return nullptr;
  }
  auto* poller = new ThreadPoller(addon, opened.value);
  const napi_env env = addon.Env();
  napi_value name = nullptr;
  // No JavaScript function: CallJs delivers through the addon's readiness callback. Created unref'd: an idle
  // poller never keeps the process alive.
  if (napi_create_string_utf8(env, "winsock:readiness", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, poller, OnFinalized, poller, CallJs,
                                      &poller->events_) != napi_ok) {
    poller->finalized_ = true;
    delete poller;
    *error = platform::wsa::kNoBufferSpace;
    return nullptr;
  }
  napi_unref_threadsafe_function(env, poller->events_);
  try {
    poller->thread_ = std::thread(&ThreadPoller::Run, poller);
  } catch (const std::system_error&) {
    poller->Shutdown();  // frees it once the thread-safe function is finalized
    *error = platform::wsa::kNoBufferSpace;
    return nullptr;
  }
  return poller;
}

ThreadPoller::~ThreadPoller() { platform::ClosePoller(poller_); }

void ThreadPoller::Shutdown() {
  StopThread();
  shut_down_ = true;
  if (finalized_) {
    delete this;
    return;
  }
  // The environment still holds the thread-safe function: OnFinalized frees this object when it lets go.
  napi_release_threadsafe_function(events_, napi_tsfn_abort);
}

void ThreadPoller::StopThread() {
  if (!thread_.joinable()) return;
  platform::StopPoller(poller_);
  thread_.join();
}

SocketWatcher* ThreadPoller::Watch(SocketHandle& owner, int* error) {
  if (const int failed = platform::SetNonBlocking(owner.Native()); failed != 0) {
    *error = failed;
    return nullptr;
  }
  auto* watcher = new Watcher(*this, owner);
  watchers_.emplace(owner.Id(), watcher);
  return watcher;
}

void ThreadPoller::WaiterAdded() {
  if (waiters_++ == 0 && events_ != nullptr) napi_ref_threadsafe_function(addon_.Env(), events_);
}

void ThreadPoller::WaiterRemoved() {
  if (--waiters_ == 0 && events_ != nullptr) napi_unref_threadsafe_function(addon_.Env(), events_);
}

void ThreadPoller::Run() {
  std::vector<platform::PollerEvent> ready;
  for (;;) {
    const int error = platform::WaitPoller(poller_, &ready);
    if (error == platform::wsa::kInterrupted) return;
    // epoll_wait, kevent and WSAPoll fail only on arguments this code controls (EBADF, EFAULT, EINVAL): retry.
    if (error != 0) continue;
    if (ready.empty()) continue;
    auto* batch = new std::vector<platform::PollerEvent>(std::move(ready));
    ready.clear();
    // Never blocks (the queue is unbounded); fails only once the environment is closing the function.
    if (napi_call_threadsafe_function(events_, batch, napi_tsfn_nonblocking) != napi_ok) {
      delete batch;
      return;
    }
  }
}

void ThreadPoller::CallJs(napi_env env, napi_value, void* context, void* data) {
  std::unique_ptr<std::vector<platform::PollerEvent>> batch(static_cast<std::vector<platform::PollerEvent>*>(data));
  if (env == nullptr) return;  // the function is being torn down with events still queued
  auto* poller = static_cast<ThreadPoller*>(context);
  for (const platform::PollerEvent& event : *batch) poller->Deliver(event.key, event.events);
}

void ThreadPoller::Deliver(std::uint64_t key, int events) {
  // By id: a socket closed since the thread saw it is gone from the map, and its id is never reused.
  auto found = watchers_.find(key);
  if (found == watchers_.end()) return;
  Watcher* watcher = found->second;
  watcher->Disarmed();
  const int ready = events & watcher->Interest();
  if (ready != 0) addon_.DeliverReadiness(watcher->Owner(), ready);
  // The calls delivered to may have closed the socket (and freed its watcher): look again. Those still waiting, in
  // either direction, need the socket armed anew.
  found = watchers_.find(key);
  if (found == watchers_.end()) return;
  watcher = found->second;
  if (watcher->Rearm() != 0) {
    // The OS refused to watch the socket any more: wake the waiting calls, which find the error themselves, or
    // fail when they try to wait again.
    addon_.DeliverReadiness(watcher->Owner(), watcher->Interest());
  }
}

void ThreadPoller::OnFinalized(napi_env, void* data, void*) {
  auto* poller = static_cast<ThreadPoller*>(data);
  poller->StopThread();
  poller->finalized_ = true;
  poller->events_ = nullptr;
  if (poller->shut_down_) delete poller;
}

}  // namespace winsock
