// SOCKET: the opaque JavaScript object that owns one OS socket.
//
// JavaScript never sees the descriptor number, so a closed socket can never reach a new socket that reused its
// number. The object's state is explicit: calls on a closed SOCKET fail with WSAENOTSOCK, as Winsock's do on a
// closed handle. An object that is garbage-collected while open closes its socket in the finalizer, and the addon
// closes every socket still open when its environment (the main thread or a worker) ends.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>

#include "platform/platform.h"
#include "readiness_backend.h"
#include "socket_poll.h"

namespace winsock {

class WinsockAddon;

class SocketHandle : public Napi::ObjectWrap<SocketHandle> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  // The one argument the constructor accepts, made once per environment (WinsockAddon keeps it).
  static Napi::Symbol ConstructionKey(Napi::Env env);
  // Wraps an open OS socket in a new SOCKET object, registered with the addon for teardown. Takes ownership of
  // `socket` whatever happens: if the object cannot be made, the socket is closed before the error propagates.
  static Napi::Object Create(WinsockAddon& addon, platform::NativeSocket socket, int family, int type);
  // The SOCKET behind `value`, or nullptr when `value` is anything else (checked by type tag, not instanceof),
  // a SOCKET of another instance of the addon included.
  static SocketHandle* FromValue(const WinsockAddon& addon, Napi::Value value);

  explicit SocketHandle(const Napi::CallbackInfo& info);
  ~SocketHandle() override;
  SocketHandle(const SocketHandle&) = delete;
  SocketHandle& operator=(const SocketHandle&) = delete;

  bool IsOpen() const { return state_ == State::kOpen; }
  // Its key in the addon's registry (WinsockAddon::Track), which stays with it after it is closed.
  std::uint64_t Id() const { return id_; }
  platform::NativeSocket Native() const { return socket_; }
  int Family() const { return family_; }
  int Type() const { return type_; }
  // recv on this socket: a stream's takes the platform's shorter path (platform::RecvStream).
  platform::Result<std::size_t> Recv(void* data, std::size_t length, int flags) const {
    return type_ == platform::kStreamSocket ? platform::RecvStream(socket_, data, length, flags)
                                            : platform::Recv(socket_, data, length, flags);
  }
  // The same for the try* calls, which never block (platform::TryRecv): a connected stream's is the shortest path.
  platform::Result<std::size_t> TryRecv(void* data, std::size_t length, int flags) const {
    return type_ == platform::kStreamSocket ? platform::TryRecvStream(socket_, data, length, flags, connected_)
                                            : platform::TryRecv(socket_, data, length, flags);
  }

  // Closes the OS socket once (after its poll handle, as libuv requires); later calls on this object see
  // WSAENOTSOCK. Returns the OS error, if any.
  int Close();
  // Called by the addon at environment teardown, after which this object no longer reports back to it.
  void CloseForTeardown();

  // What Winsock remembers about a socket's connection, which POSIX reports differently (see winsock_calls.cc).
  void MarkConnected() { connected_ = true; }
  bool IsConnected() const { return connected_; }
  void MarkShutdown(bool send, bool receive);
  bool IsSendShutdown() const { return send_shutdown_; }
  bool IsReceiveShutdown() const { return receive_shutdown_; }

  // Async use: the first call makes the socket nonblocking for good (uv_poll_init_socket, or FIONBIO/O_NONBLOCK for
  // the thread poller), as FIONBIO would.
  // Both return a Winsock error number, 0 on success.
  int MakeNonBlocking() { return watcher_ != nullptr ? 0 : StartWatcher(); }
  // Starts or stops watching for readiness events (SocketPoll::kReadable | kWritable) on behalf of waiting calls.
  int Watch(int events) { return SetWatched(watched_ | events); }
  int Unwatch(int events) { return SetWatched(watched_ & ~events); }
  // node:net's ref()/unref(): whether a call waiting on this socket keeps the event loop (the process) alive.
  void SetKeepsLoopAlive(bool keeps);
  bool HasWaiters() const { return watched_ != 0; }

  // A recvInto that found WSAEWOULDBLOCK and cannot leave its queue before it is settled (no signal, no timeout):
  // its buffer and flags, so that the readiness event reads for it in the addon (WinsockAddon::ReadForArmedRecv)
  // rather than call JavaScript to call back in with the same arguments. The memory is held until that read or the
  // socket's close; its bytes are looked up again at the read, as a resized or detached buffer may have none left.
  // The reference is to the ArrayBuffer under the view (the view itself only where Node-API cannot read that
  // ArrayBuffer: a SharedArrayBuffer's), and it outlives the call, weak, so that the next call into the same
  // ArrayBuffer re-arms it with napi_reference_ref instead of a new reference each wait: a read loop's same bytes,
  // and Socket.read's new Buffer per read, cut from Node's Buffer pool (a reference made and deleted per wait cost
  // about 350 instructions, callgrind). Same bytes, not the same object: napi_strict_equals alone cost 180
  // instructions a wait.
  // `data` and `length`: the bytes `buffer` had at the call. The read is made into exactly these, and only while
  // the memory still has them (WinsockAddon::ReadForArmedRecv).
  void ArmRecv(napi_value buffer, void* data, std::size_t length, int flags);
  void* ArmedRecvData() const { return armed_recv_data_; }
  std::size_t ArmedRecvLength() const { return armed_recv_length_; }
  void DisarmRecv();
  // Drops the reference, armed or not: the next arm makes a new one.
  void ReleaseRecvBuffer();
  bool HasArmedRecv() const { return recv_armed_; }
  // The armed call's bytes as they are now: `*data` and `*length` of the view, or of the ArrayBuffer's part the call
  // had; false when there is no memory left to look at (collected, or not readable).
  bool ArmedRecvBytes(void** data, std::size_t* length) const;
  int ArmedRecvFlags() const { return armed_recv_flags_; }
  bool UsesPoll() const { return watcher_ != nullptr; }

 private:
  enum class State { kOpen, kClosed };

  int SetWatched(int events);
  // MakeNonBlocking's first call: the watcher from the environment's readiness backend.
  int StartWatcher();
  // The ArrayBuffer under `view` (a TypedArray, DataView or ArrayBuffer) and its data; false where Node-API cannot
  // read it (a SharedArrayBuffer).
  static bool ArrayBufferOf(napi_env env, napi_value view, napi_value* memory, void** base);

  WinsockAddon* addon_ = nullptr;
  std::uint64_t id_ = 0;
  platform::NativeSocket socket_ = platform::kInvalidSocket;
  State state_ = State::kClosed;
  int family_ = 0;
  int type_ = 0;
  SocketWatcher* watcher_ = nullptr;  // from the environment's readiness backend
  int watched_ = 0;  // the events some call waits for
  napi_ref recv_buffer_ = nullptr;  // strong while armed, weak after: the ArrayBuffer, or the view itself
  bool recv_buffer_is_view_ = false;
  void* recv_memory_base_ = nullptr;  // the ArrayBuffer's data when the reference was made
  bool recv_armed_ = false;
  int armed_recv_flags_ = 0;
  void* armed_recv_data_ = nullptr;
  std::size_t armed_recv_length_ = 0;
  bool keeps_loop_alive_ = true;
  bool connected_ = false;
  bool send_shutdown_ = false;
  bool receive_shutdown_ = false;
};

}  // namespace winsock
