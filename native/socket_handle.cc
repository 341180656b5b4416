#include "socket_handle.h"

#include "addon.h"

namespace winsock {
namespace {

// Marks objects made by this class, so a look-alike object (or one with a forged Symbol.hasInstance) is never
// unwrapped as a SOCKET. The value is random and only has to be unique to this addon.
constexpr napi_type_tag kSocketTag = {0x8c3c5a4e1f0b4d27ULL, 0xa6e2d9b17c4f3e51ULL};

// The tag of the SOCKETs one instance of the addon makes: kSocketTag with the instance's address in it. A second
// instance in the same thread (a second copy of the package loads one) took another's SOCKETs as its own: their
// ids named its own sockets (a send went out on another connection) and their readiness went to the other
// instance's callback, a wait that never ended (test/conformance/socket-ids.test.ts). Instances alive at once have
// different addresses, so different tags.
napi_type_tag TagOf(const WinsockAddon& addon) {
  return {kSocketTag.lower ^ static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(&addon)), kSocketTag.upper};
}

}  // namespace

Napi::Function SocketHandle::DefineClass(Napi::Env env) {
  return ObjectWrap<SocketHandle>::DefineClass(env, "SOCKET", {});
}

Napi::Symbol SocketHandle::ConstructionKey(Napi::Env env) {
  // A symbol made here and never handed to JavaScript: `new SOCKET(anything)` from JavaScript cannot pass it.
  return Napi::Symbol::New(env, "winsock SOCKET construction key");
}

Napi::Object SocketHandle::Create(WinsockAddon& addon, platform::NativeSocket socket, int family, int type) {
  Napi::Object object;
  try {
    object = addon.SocketConstructor().New({addon.SocketConstructionKey()});
  } catch (const Napi::Error&) {
    // No object owns the descriptor yet (a worker being terminated cannot make one): close it, or it leaks.
    platform::CloseSocket(socket);
    throw;
  }
  SocketHandle* handle = Unwrap(object);
  handle->addon_ = &addon;
  handle->socket_ = socket;
  handle->family_ = family;
  handle->type_ = type;
  handle->state_ = State::kOpen;
  handle->id_ = addon.Track(handle);
  return object;
}

SocketHandle* SocketHandle::FromValue(const WinsockAddon& addon, Napi::Value value) {
  if (!value.IsObject()) return nullptr;
  Napi::Object object = value.As<Napi::Object>();
  const napi_type_tag tag = TagOf(addon);
  if (!object.CheckTypeTag(&tag)) return nullptr;
  return Unwrap(object);
}

SocketHandle::SocketHandle(const Napi::CallbackInfo& info) : ObjectWrap<SocketHandle>(info) {
  const WinsockAddon* addon = info.Env().GetInstanceData<WinsockAddon>();
  if (info.Length() != 1 || addon == nullptr || !info[0].StrictEquals(addon->SocketConstructionKey())) {
    Napi::TypeError::New(info.Env(), "Illegal constructor: a SOCKET comes from socket() or accept()")
        .ThrowAsJavaScriptException();
    return;
  }
  const napi_type_tag tag = TagOf(*addon);
  info.This().As<Napi::Object>().TypeTag(&tag);
}

SocketHandle::~SocketHandle() {
  // The finalizer of a SOCKET that was never closed: release the OS socket, as Winsock does at process exit.
  Close();
}

int SocketHandle::Close() {
  if (state_ != State::kOpen) return platform::wsa::kNotSocket;
  state_ = State::kClosed;
  if (watched_ != 0 && addon_ != nullptr) Unref();  // not at teardown: the environment drops every reference
  if (addon_ != nullptr) ReleaseRecvBuffer();  // at teardown WinsockAddon::OnEnvironmentTeardown has released it
  recv_buffer_ = nullptr;
  recv_armed_ = false;
  watched_ = 0;
  if (watcher_ != nullptr) watcher_->Close();
  watcher_ = nullptr;
  if (addon_ != nullptr) addon_->Forget(id_);
  addon_ = nullptr;
  return platform::CloseSocket(socket_);
}

void SocketHandle::CloseForTeardown() {
  addon_ = nullptr;  // the addon is going away and is already iterating its registry
  Close();
}

int SocketHandle::StartWatcher() {
  // Closed (the addon let go of it): nothing to watch. Callers check first; this keeps a miss from being a crash.
  if (addon_ == nullptr) return platform::wsa::kNotSocket;
  int error = 0;
  watcher_ = addon_->CreateWatcher(*this, &error);
  if (watcher_ != nullptr) watcher_->SetKeepsLoopAlive(keeps_loop_alive_);
  return error;
}

void SocketHandle::SetKeepsLoopAlive(bool keeps) {
  keeps_loop_alive_ = keeps;
  if (watcher_ != nullptr) watcher_->SetKeepsLoopAlive(keeps);
}

int SocketHandle::SetWatched(int events) {
  if (events == watched_) return 0;
  const int error = MakeNonBlocking();
  if (error != 0) return error;
  // While a call waits, the SOCKET must stay alive even if JavaScript holds it only through the waiting call's own
  // closures (a WeakMap entry in src/readiness.ts): a strong reference, as libuv's active handles keep theirs.
  if (events != 0 && watched_ == 0) Ref();
  if (events == 0 && watched_ != 0) Unref();
  watched_ = events;
  return watcher_->SetInterest(events);
}

void SocketHandle::ArmRecv(napi_value buffer, void* data, std::size_t length, int flags) {
  armed_recv_flags_ = flags;
  // The same bytes (a read loop's buffer) need no look at the ArrayBuffer; other bytes of the same ArrayBuffer
  // (Socket.read's pool Buffers) need one. Memory collected since cannot be told from here, but the read looks it
  // up before it reads (ArmedRecvBytes), and collected memory has no bytes there.
  bool same = recv_buffer_ != nullptr && data == armed_recv_data_ && length == armed_recv_length_;
  napi_value memory = buffer;
  void* base = nullptr;
  bool whole_memory = false;
  if (!same) {
    whole_memory = ArrayBufferOf(Env(), buffer, &memory, &base);
    same = recv_buffer_ != nullptr && whole_memory && !recv_buffer_is_view_ && base == recv_memory_base_;
  }
  if (same) {
    if (!recv_armed_ && napi_reference_ref(Env(), recv_buffer_, nullptr) != napi_ok) return;  // JavaScript retries
    recv_armed_ = true;
    armed_recv_data_ = data;
    armed_recv_length_ = length;
    return;
  }
  ReleaseRecvBuffer();
  armed_recv_data_ = data;
  armed_recv_length_ = length;
  recv_buffer_is_view_ = !whole_memory;
  recv_memory_base_ = base;
  recv_armed_ = napi_create_reference(Env(), memory, 1, &recv_buffer_) == napi_ok;
  if (!recv_armed_) recv_buffer_ = nullptr;  // not armed: JavaScript retries itself
}

bool SocketHandle::ArrayBufferOf(napi_env env, napi_value view, napi_value* memory, void** base) {
  napi_typedarray_type type;
  std::size_t length = 0;
  void* data = nullptr;
  std::size_t offset = 0;
  napi_value buffer = nullptr;
  if (napi_get_typedarray_info(env, view, &type, &length, &data, &buffer, &offset) != napi_ok &&
      napi_get_dataview_info(env, view, &length, &data, &buffer, &offset) != napi_ok) {
    buffer = view;  // an ArrayBuffer itself
  }
  std::size_t buffer_length = 0;
  if (napi_get_arraybuffer_info(env, buffer, base, &buffer_length) != napi_ok) return false;  // a SharedArrayBuffer's
  *memory = buffer;
  return true;
}

void SocketHandle::DisarmRecv() {
  if (!recv_armed_) return;
  recv_armed_ = false;
  // Weak from here: the settled call's buffer is the caller's again, to keep or drop.
  if (napi_reference_unref(Env(), recv_buffer_, nullptr) != napi_ok) ReleaseRecvBuffer();
}

void SocketHandle::ReleaseRecvBuffer() {
  if (recv_buffer_ != nullptr) napi_delete_reference(Env(), recv_buffer_);
  recv_buffer_ = nullptr;
  recv_armed_ = false;
}

bool SocketHandle::ArmedRecvBytes(void** data, std::size_t* length) const {
  napi_value memory = nullptr;
  if (!recv_armed_ || napi_get_reference_value(Env(), recv_buffer_, &memory) != napi_ok || memory == nullptr) return false;
  if (recv_buffer_is_view_) return napi_get_buffer_info(Env(), memory, data, length) == napi_ok;
  void* base = nullptr;
  std::size_t memory_length = 0;
  if (napi_get_arraybuffer_info(Env(), memory, &base, &memory_length) != napi_ok || base != recv_memory_base_) return false;
  // The part the call had, while the ArrayBuffer still holds all of it (not detached, not shrunk below it).
  const auto start = reinterpret_cast<std::uintptr_t>(armed_recv_data_);
  const auto memory_start = reinterpret_cast<std::uintptr_t>(base);
  if (start < memory_start || start - memory_start > memory_length) return false;
  if (armed_recv_length_ > memory_length - (start - memory_start)) return false;
  *data = armed_recv_data_;
  *length = armed_recv_length_;
  return true;
}

void SocketHandle::MarkShutdown(bool send, bool receive) {
  send_shutdown_ = send_shutdown_ || send;
  receive_shutdown_ = receive_shutdown_ || receive;
}

}  // namespace winsock
