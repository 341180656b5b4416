// Which runtime hosts the addon, and which readiness backend an environment uses (readiness_backend.h).
// src/runtime.ts tells both from JavaScript (process.versions.bun, Deno, WINSOCK_POLLER) before any socket is
// watched; the addon asks for the libuv loop only when told uv_poll, so no uv_* function is ever called where the
// runtime has none.
#include <string>

#include "addon.h"
#include "arguments.h"
#include "socket_handle.h"
#include "socket_poll.h"
#include "thread_poller.h"

namespace winsock {
namespace {

constexpr const char* kUvPollName = "uv_poll";
constexpr const char* kThreadName = "thread";

}  // namespace

Napi::Value WinsockAddon::SetRuntime(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) arguments::ThrowTypeError(env_, "The \"runtime\" argument must be of type string");
  // Deno runs an async cleanup hook once and frees its handle when the hook returns, so the hook must not remove
  // itself there (napi_remove_async_cleanup_hook would free it a second time: "double free detected in tcache").
  host_is_deno_ = info[0].As<Napi::String>().Utf8Value() == "deno";
  return env_.Undefined();
}

Napi::Value WinsockAddon::SetReadinessBackend(const Napi::CallbackInfo& info) {
  if (!info[0].IsString()) arguments::ThrowTypeError(env_, "The \"backend\" argument must be of type string");
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  if (name != kUvPollName && name != kThreadName) {
    throw Napi::TypeError::New(env_, "The \"backend\" argument must be 'uv_poll' or 'thread'. Received '" + name + "'");
  }
  const ReadinessBackend chosen = name == kUvPollName ? ReadinessBackend::kUvPoll : ReadinessBackend::kThreadPoller;
  if (readiness_backend_used_ && chosen != readiness_backend_) {
    throw Napi::Error::New(env_, "winsock: the readiness backend cannot change once a socket has been watched");
  }
  if (chosen == ReadinessBackend::kUvPoll && loop_ == nullptr) {
    NAPI_THROW_IF_FAILED(env_, napi_get_uv_event_loop(env_, &loop_), Napi::Value());
    if (loop_ == nullptr) throw Napi::Error::New(env_, "winsock: this runtime has no libuv loop for uv_poll");
  }
  readiness_backend_ = chosen;
  return env_.Undefined();
}

Napi::Value WinsockAddon::GetReadinessBackend(const Napi::CallbackInfo&) {
  return Napi::String::New(env_, readiness_backend_ == ReadinessBackend::kUvPoll ? kUvPollName : kThreadName);
}

SocketWatcher* WinsockAddon::CreateWatcher(SocketHandle& owner, int* error) {
  readiness_backend_used_ = true;
  if (readiness_backend_ == ReadinessBackend::kUvPoll) return SocketPoll::Create(*this, owner, owner.Native(), error);
  if (thread_poller_ == nullptr) thread_poller_ = ThreadPoller::Start(*this, error);
  return thread_poller_ == nullptr ? nullptr : thread_poller_->Watch(owner, error);
}

void WinsockAddon::StopThreadPoller() {
  if (thread_poller_ == nullptr) return;
  thread_poller_->Shutdown();  // frees itself once the environment lets go of its thread-safe function
  thread_poller_ = nullptr;
}

}  // namespace winsock
