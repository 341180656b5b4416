// The addon's per-environment state. One instance per Node environment (the main thread, each worker_thread), never
// globals, so the addon is safe to load in workers; its destructor is the environment's teardown.
#pragma once

#include <napi.h>

#include <unordered_set>

#include "platform/platform.h"

namespace winsock {

class SocketHandle;

class WinsockAddon : public Napi::Addon<WinsockAddon> {
 public:
  WinsockAddon(Napi::Env env, Napi::Object exports);
  ~WinsockAddon();
  WinsockAddon(const WinsockAddon&) = delete;
  WinsockAddon& operator=(const WinsockAddon&) = delete;

  Napi::Env Env() const { return env_; }
  Napi::Function SocketConstructor() const { return socket_constructor_.Value(); }

  // The registry of open sockets, closed at teardown and at the final cleanup().
  void Track(SocketHandle* socket) { open_sockets_.insert(socket); }
  void Forget(SocketHandle* socket) { open_sockets_.erase(socket); }

  // Throws a WinsockError made by the JavaScript factory (see src/errors.ts), and remembers `error` for
  // getLastError(). `endpoint` adds the address and port the call was about, when there is one.
  [[noreturn]] void ThrowWinsockError(int error, const char* syscall,
                                      const platform::Endpoint* endpoint = nullptr);

 private:
  // The 1:1 Winsock calls (winsock_calls.cc). Each: check arguments, make the one OS call, capture, throw or return.
  Napi::Value SetErrorFactory(const Napi::CallbackInfo& info);
  Napi::Value Startup(const Napi::CallbackInfo& info);
  Napi::Value Cleanup(const Napi::CallbackInfo& info);
  Napi::Value GetLastError(const Napi::CallbackInfo& info);
  Napi::Value GetAddrInfo(const Napi::CallbackInfo& info);
  Napi::Value Socket(const Napi::CallbackInfo& info);
  Napi::Value Bind(const Napi::CallbackInfo& info);
  Napi::Value Listen(const Napi::CallbackInfo& info);
  Napi::Value Accept(const Napi::CallbackInfo& info);
  Napi::Value Connect(const Napi::CallbackInfo& info);
  Napi::Value Send(const Napi::CallbackInfo& info);
  Napi::Value Recv(const Napi::CallbackInfo& info);
  Napi::Value Shutdown(const Napi::CallbackInfo& info);
  Napi::Value CloseSocket(const Napi::CallbackInfo& info);
  Napi::Value GetSockName(const Napi::CallbackInfo& info);
  Napi::Value GetPeerName(const Napi::CallbackInfo& info);

  // Winsock fails every call with WSANOTINITIALISED until WSAStartup succeeds; this keeps that rule on every OS.
  void RequireStarted(const char* syscall);
  // The open SOCKET in argument `index`; throws TypeError for a non-SOCKET, WSAENOTSOCK for a closed one.
  SocketHandle& RequireOpenSocket(const Napi::CallbackInfo& info, std::size_t index, const char* syscall);
  platform::SocketAddress RequireAddress(const Napi::CallbackInfo& info, std::size_t index, int family,
                                         const char* syscall);
  Napi::Object EndpointObject(const platform::Endpoint& endpoint);
  void CloseAllSockets();

  Napi::Env env_;
  Napi::FunctionReference socket_constructor_;
  Napi::FunctionReference error_factory_;
  std::unordered_set<SocketHandle*> open_sockets_;
  int startup_count_ = 0;  // our own WSAStartup calls, never libuv's
  int last_error_ = 0;
};

}  // namespace winsock
