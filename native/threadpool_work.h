// Work on the libuv threadpool that reports to a JavaScript callback (getaddrinfo, getnameinfo); src/promises.ts
// wraps the callback in a promise. It counts itself with the addon, so environment teardown waits for it, and it
// does not touch JavaScript once teardown has begun: a worker_thread terminated while a lookup runs must not take
// the process down.
//
// Why a callback and not a napi_deferred: N-API frees a deferred only when it is resolved or rejected, which it
// refuses once a worker's environment is stopping, so every lookup in flight at worker.terminate() leaked one
// (LeakSanitizer, scripts/test-asan.sh). The callback's reference is released when this object is deleted.
#pragma once

#include <napi.h>

#include "addon.h"

namespace winsock {

class ThreadpoolWork : public Napi::AsyncWorker {
 public:
  // `callback` is called once, as callback(error) or callback(null, value).
  ThreadpoolWork(WinsockAddon& addon, const Napi::Function& callback, const char* name)
      : Napi::AsyncWorker(callback, name), addon_(addon), addon_alive_(addon.Alive()) {
    addon_.WorkStarted();
  }
  ~ThreadpoolWork() override {
    if (*addon_alive_) addon_.WorkFinished();
  }

 protected:
  // What the callback receives, made on the JavaScript thread with a handle scope open.
  struct Outcome {
    Napi::Value error;
    Napi::Value value;
  };
  Outcome Resolved(Napi::Value value) const { return {Env().Null(), value}; }
  Outcome Rejected(Napi::Value error) const { return {error, Env().Undefined()}; }

  virtual Outcome Settle(WinsockAddon& addon) = 0;

 private:
  void OnOK() final {
    if (!*addon_alive_ || addon_.TearingDown()) return;  // JavaScript cannot run any more: nobody is left to tell
    Napi::HandleScope scope(Env());
    try {
      const Outcome outcome = Settle(addon_);
      Callback().Call({outcome.error, outcome.value});
    } catch (const Napi::Error&) {
      // Reporting failed because the environment is stopping (worker.terminate()): nothing can be reported.
    }
  }

  WinsockAddon& addon_;
  std::shared_ptr<const bool> addon_alive_;  // see WinsockAddon::Alive
};

}  // namespace winsock
