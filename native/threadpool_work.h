// Work on the libuv threadpool that settles a promise (getaddrinfo, getnameinfo). It counts itself with the addon,
// so environment teardown waits for it, and it does not touch JavaScript once teardown has begun: a worker_thread
// terminated while a lookup runs must not take the process down.
#pragma once

#include <napi.h>

#include "addon.h"

namespace winsock {

class ThreadpoolWork : public Napi::AsyncWorker {
 public:
  ThreadpoolWork(WinsockAddon& addon, const char* name)
      : Napi::AsyncWorker(addon.Env(), name), addon_(addon), deferred_(Napi::Promise::Deferred::New(addon.Env())) {
    addon_.WorkStarted();
  }
  ~ThreadpoolWork() override { addon_.WorkFinished(); }

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  // Resolves or rejects the promise (on the JavaScript thread, with a handle scope open).
  virtual void Settle(WinsockAddon& addon, Napi::Promise::Deferred& deferred) = 0;

 private:
  void OnOK() final {
    if (addon_.TearingDown()) return;  // JavaScript cannot run any more: nobody is left to tell
    Napi::HandleScope scope(Env());
    try {
      Settle(addon_, deferred_);
    } catch (const Napi::Error&) {
      // Settling failed because the environment is stopping (worker.terminate()): nothing can be reported.
    }
  }

  WinsockAddon& addon_;
  Napi::Promise::Deferred deferred_;
};

}  // namespace winsock
