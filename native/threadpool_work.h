// Work on the libuv threadpool that settles a promise (getaddrinfo, getnameinfo). It counts itself with the addon,
// so environment teardown waits for it, and it does not touch JavaScript once teardown has begun: a worker_thread
// terminated while a lookup runs must not take the process down.
#pragma once

#include <napi.h>

#include "addon.h"

namespace winsock {

// A promise and the functions that settle it. Made with JavaScript's own Promise constructor, not
// napi_create_promise: N-API frees a napi_deferred only when it resolves or rejects it, which it refuses once a
// worker's environment is stopping, so every lookup still running when its worker was terminated leaked one
// (LeakSanitizer: test/reliability/teardown-main.ts under scripts/test-asan.sh). References are freed either way.
class PromiseSettler {
 public:
  explicit PromiseSettler(WinsockAddon& addon) {
    Napi::Env env = addon.Env();
    Napi::Function executor = Napi::Function::New(env, [this](const Napi::CallbackInfo& info) {
      resolve_ = Napi::Persistent(info[0].As<Napi::Function>());
      reject_ = Napi::Persistent(info[1].As<Napi::Function>());
    });
    promise_ = Napi::Persistent(addon.PromiseConstructor().New({executor}));
  }

  Napi::Value Promise() const { return promise_.Value(); }
  void Resolve(Napi::Value value) { resolve_.Call({value}); }
  void Reject(Napi::Value error) { reject_.Call({error}); }

 private:
  Napi::ObjectReference promise_;
  Napi::FunctionReference resolve_;
  Napi::FunctionReference reject_;
};

class ThreadpoolWork : public Napi::AsyncWorker {
 public:
  ThreadpoolWork(WinsockAddon& addon, const char* name)
      : Napi::AsyncWorker(addon.Env(), name), addon_(addon), settler_(addon) {
    addon_.WorkStarted();
  }
  ~ThreadpoolWork() override { addon_.WorkFinished(); }

  Napi::Value Promise() const { return settler_.Promise(); }

 protected:
  // Resolves or rejects the promise (on the JavaScript thread, with a handle scope open).
  virtual void Settle(WinsockAddon& addon, PromiseSettler& promise) = 0;

 private:
  void OnOK() final {
    if (addon_.TearingDown()) return;  // JavaScript cannot run any more: nobody is left to tell
    Napi::HandleScope scope(Env());
    try {
      Settle(addon_, settler_);
    } catch (const Napi::Error&) {
      // Settling failed because the environment is stopping (worker.terminate()): nothing can be reported.
    }
  }

  WinsockAddon& addon_;
  PromiseSettler settler_;
};

}  // namespace winsock
