#include "socket_poll.h"

#include "addon.h"
#include "socket_handle.h"

namespace winsock {
namespace {

static_assert(SocketPoll::kReadable == kReadinessReadable && SocketPoll::kWritable == kReadinessWritable,
              "both readiness backends report the same bits");

// uv_poll_init_socket/uv_poll_start fail only on a socket the OS refuses to watch; libuv's error numbers are its
// own, so JavaScript sees Winsock's "invalid argument".
constexpr int kPollFailed = platform::wsa::kInvalidArgument;

}  // namespace

SocketPoll* SocketPoll::Create(WinsockAddon& addon, SocketHandle& owner, platform::NativeSocket socket, int* error) {
  auto* poll = new SocketPoll(addon, owner);
  if (uv_poll_init_socket(addon.Loop(), &poll->handle_, static_cast<uv_os_sock_t>(socket)) != 0) {
    delete poll;  // never initialised: nothing for uv_close to do
    *error = kPollFailed;
    return nullptr;
  }
  poll->handle_.data = poll;
  uv_unref(reinterpret_cast<uv_handle_t*>(&poll->handle_));
  addon.PollOpened();
  return poll;
}

int SocketPoll::SetInterest(int events) {
  interest_ = events;
  auto* handle = reinterpret_cast<uv_handle_t*>(&handle_);
  if (events == 0 || !keeps_loop_alive_) uv_unref(handle);  // idle: stopped lazily, in OnReady
  else uv_ref(handle);
  if (events == 0) return 0;
  if ((started_ & events) == events) return 0;  // already watching at least this
  started_ |= events;
  return uv_poll_start(&handle_, started_, OnReady) == 0 ? 0 : kPollFailed;
}

void SocketPoll::SetKeepsLoopAlive(bool keeps) {
  keeps_loop_alive_ = keeps;
  auto* handle = reinterpret_cast<uv_handle_t*>(&handle_);
  if (keeps && interest_ != 0) uv_ref(handle);
  else uv_unref(handle);
}

void SocketPoll::OnReady(uv_poll_t* handle, int status, int events) {
  auto* poll = static_cast<SocketPoll*>(handle->data);
  if (poll->owner_ == nullptr) return;
  if (status < 0) {
    // libuv reports an error condition on the socket (POLLERR: a failed connect, a reset) as a status and stops the
    // handle. The calls waiting find the real error themselves when they try again, so wake them all.
    poll->started_ = 0;
    events = poll->interest_;
  } else if (poll->started_ != poll->interest_) {
    // Narrow (or stop) the poll to what is still wanted, now that it fired for something nobody waits for.
    poll->started_ = poll->interest_;
    if (poll->started_ == 0) uv_poll_stop(handle);
    else uv_poll_start(handle, poll->started_, OnReady);
  }
  const int ready = events & poll->interest_;
  if (ready != 0) poll->addon_->DeliverReadiness(*poll->owner_, ready);
  // Calls that found WSAEWOULDBLOCK again watch again: start the handle for them if libuv stopped it.
  if (poll->owner_ != nullptr && poll->started_ == 0 && poll->interest_ != 0) poll->SetInterest(poll->interest_);
}

void SocketPoll::Close() {
  owner_ = nullptr;
  uv_close(reinterpret_cast<uv_handle_t*>(&handle_), OnClosed);
}

void SocketPoll::OnClosed(uv_handle_t* handle) {
  auto* poll = static_cast<SocketPoll*>(handle->data);
  WinsockAddon* addon = poll->addon_;
  delete poll;
  addon->PollClosed();
}

}  // namespace winsock
