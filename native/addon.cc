#include "addon.h"

#include "arguments.h"
#include "socket_handle.h"

namespace winsock {

WinsockAddon::WinsockAddon(Napi::Env env, Napi::Object exports) : env_(env) {
  socket_constructor_ = Napi::Persistent(SocketHandle::DefineClass(env));

  Napi::Object constants = Napi::Object::New(env);
  platform::ForEachConstant([&](const char* name, std::int64_t value) {
    constants.Set(name, Napi::Number::New(env, static_cast<double>(value)));
  });
  constants.Freeze();

  DefineAddon(exports, {
                           InstanceValue("SOCKET", socket_constructor_.Value()),
                           InstanceValue("constants", constants),
                           InstanceMethod("setErrorFactory", &WinsockAddon::SetErrorFactory),
                           InstanceMethod("startup", &WinsockAddon::Startup),
                           InstanceMethod("cleanup", &WinsockAddon::Cleanup),
                           InstanceMethod("getLastError", &WinsockAddon::GetLastError),
                           InstanceMethod("getaddrinfo", &WinsockAddon::GetAddrInfo),
                           InstanceMethod("socket", &WinsockAddon::Socket),
                           InstanceMethod("bind", &WinsockAddon::Bind),
                           InstanceMethod("listen", &WinsockAddon::Listen),
                           InstanceMethod("accept", &WinsockAddon::Accept),
                           InstanceMethod("connect", &WinsockAddon::Connect),
                           InstanceMethod("send", &WinsockAddon::Send),
                           InstanceMethod("recv", &WinsockAddon::Recv),
                           InstanceMethod("shutdown", &WinsockAddon::Shutdown),
                           InstanceMethod("closesocket", &WinsockAddon::CloseSocket),
                           InstanceMethod("getsockname", &WinsockAddon::GetSockName),
                           InstanceMethod("getpeername", &WinsockAddon::GetPeerName),
                       });
}

WinsockAddon::~WinsockAddon() {
  // Environment teardown (process exit, or a worker_thread ending): close what JavaScript left open and balance our
  // own WSAStartup calls. libuv's reference to Winsock in node.exe is not ours and stays.
  CloseAllSockets();
  for (; startup_count_ > 0; --startup_count_) platform::Cleanup();
}

void WinsockAddon::CloseAllSockets() {
  const std::unordered_set<SocketHandle*> sockets = std::move(open_sockets_);
  open_sockets_.clear();
  for (SocketHandle* socket : sockets) socket->CloseForTeardown();
}

void WinsockAddon::ThrowWinsockError(int error, const char* syscall, const platform::Endpoint* endpoint) {
  last_error_ = error;
  Napi::Env env = env_;
  if (error_factory_.IsEmpty()) {
    // Only reachable if src/native.ts did not install the factory: still an error, never a crash.
    throw Napi::Error::New(env, std::string(syscall) + " failed with Winsock error " + std::to_string(error));
  }
  Napi::Value address = endpoint ? Napi::String::New(env, endpoint->address) : env.Undefined();
  Napi::Value port = endpoint && endpoint->port >= 0 ? Napi::Number::New(env, endpoint->port) : env.Undefined();
  Napi::Value made = error_factory_.Call({Napi::Number::New(env, error), Napi::String::New(env, syscall), address, port});
  throw Napi::Error(env, made);
}

void WinsockAddon::RequireStarted(const char* syscall) {
  if (startup_count_ == 0) ThrowWinsockError(platform::wsa::kNotInitialised, syscall);
}

SocketHandle& WinsockAddon::RequireOpenSocket(const Napi::CallbackInfo& info, std::size_t index,
                                              const char* syscall) {
  SocketHandle* socket = SocketHandle::FromValue(info[index]);
  if (socket == nullptr) arguments::ThrowTypeError(env_, "The \"s\" argument must be a SOCKET (from socket() or accept())");
  RequireStarted(syscall);
  if (!socket->IsOpen()) ThrowWinsockError(platform::wsa::kNotSocket, syscall);
  return *socket;
}

Napi::Object WinsockAddon::EndpointObject(const platform::Endpoint& endpoint) {
  Napi::Object object = Napi::Object::New(env_);
  object.Set("family", endpoint.family);
  object.Set("address", endpoint.address);
  object.Set("port", endpoint.port);
  return object;
}

}  // namespace winsock

using winsock::WinsockAddon;
NODE_API_ADDON(WinsockAddon)
