// select and WSAPoll: readiness of many sockets at once, blocking the calling thread as Winsock's do. The promises
// API builds its non-blocking forms from a zero-timeout call of these and the per-socket readiness watch.
#include <algorithm>

#include "addon.h"
#include "arguments.h"
#include "socket_handle.h"

namespace winsock {

using arguments::kIntMax;

namespace {

// The timeout argument: milliseconds, or null/undefined to wait without limit (-1).
int TimeoutArgument(const Napi::CallbackInfo& info, std::size_t index) {
  if (info[index].IsNull() || info[index].IsUndefined()) return -1;
  return static_cast<int>(arguments::Integer(info, index, "timeout", 0, kIntMax));
}

}  // namespace

Napi::Value WinsockAddon::Select(const Napi::CallbackInfo& info) {
  // select(readfds, writefds, exceptfds, timeout): arrays of SOCKET (or null for an empty set).
  const char* names[3] = {"readfds", "writefds", "exceptfds"};
  std::vector<Napi::Value> objects[3];
  std::vector<SocketHandle*> handles[3];
  platform::SelectSets sets;
  std::vector<platform::NativeSocket>* lists[3] = {&sets.read, &sets.write, &sets.except};
  for (std::size_t set = 0; set < 3; ++set) {
    if (info[set].IsNull() || info[set].IsUndefined()) continue;
    if (!info[set].IsArray()) arguments::ThrowTypeError(env_, std::string("The \"") + names[set] + "\" argument must be an array of SOCKET");
    Napi::Array array = info[set].As<Napi::Array>();
    for (std::uint32_t i = 0; i < array.Length(); ++i) {
      Napi::Value element = array.Get(i);
      SocketHandle* socket = SocketHandle::FromValue(*this, element);
      if (socket == nullptr) arguments::ThrowTypeError(env_, std::string("Every element of \"") + names[set] + "\" must be a SOCKET");
      handles[set].push_back(socket);
      objects[set].push_back(element);
    }
  }
  const int timeout = TimeoutArgument(info, 3);
  RequireStarted("select");
  // Checked only now: reading the arguments ran JavaScript (getters), which may have closed a socket already seen.
  for (std::size_t set = 0; set < 3; ++set) {
    for (SocketHandle* socket : handles[set]) {
      if (!socket->IsOpen()) ThrowWinsockError(platform::wsa::kNotSocket, "select");
      lists[set]->push_back(socket->Native());
    }
  }

  platform::SelectSets ready = sets;
  const platform::Result<int> count = platform::Select(ready, timeout);
  if (!count.ok()) ThrowWinsockError(count.error, "select");

  // Give back the SOCKET objects (not descriptors) that are ready, in the order they were passed; a socket listed
  // twice is one ready socket, as Winsock's fd_set holds it once (test_select in Wine's ws2_32 tests).
  Napi::Object result = Napi::Object::New(env_);
  result.Set("count", count.value);
  const char* keys[3] = {"read", "write", "except"};
  std::vector<platform::NativeSocket>* ready_lists[3] = {&ready.read, &ready.write, &ready.except};
  for (std::size_t set = 0; set < 3; ++set) {
    Napi::Array out = Napi::Array::New(env_);
    std::uint32_t next = 0;
    for (std::size_t i = 0; i < lists[set]->size(); ++i) {
      const auto first = std::find(lists[set]->begin(), lists[set]->end(), (*lists[set])[i]);
      if (static_cast<std::size_t>(first - lists[set]->begin()) != i) continue;  // listed before
      for (platform::NativeSocket s : *ready_lists[set]) {
        if (s == (*lists[set])[i]) {
          out.Set(next++, objects[set][i]);
          break;
        }
      }
    }
    result.Set(keys[set], out);
  }
  return result;
}

Napi::Value WinsockAddon::WSAPoll(const Napi::CallbackInfo& info) {
  // WSAPoll(fds, timeout): fds is an array of { socket, events }; each gets `revents` set, as WSAPOLLFD's.
  if (!info[0].IsArray()) arguments::ThrowTypeError(env_, "The \"fds\" argument must be an array of { socket, events }");
  Napi::Array fds = info[0].As<Napi::Array>();
  std::vector<platform::PollEntry> entries;
  std::vector<SocketHandle*> handles;
  std::vector<Napi::Object> objects;
  for (std::uint32_t i = 0; i < fds.Length(); ++i) {
    Napi::Value element = fds.Get(i);
    if (!element.IsObject()) arguments::ThrowTypeError(env_, "Every element of \"fds\" must be { socket, events }");
    Napi::Object fd = element.As<Napi::Object>();
    SocketHandle* socket = SocketHandle::FromValue(*this, fd.Get("socket"));
    if (socket == nullptr) arguments::ThrowTypeError(env_, "Every element of \"fds\" must have a SOCKET as \"socket\"");
    Napi::Value events = fd.Get("events");
    if (!events.IsNumber()) arguments::ThrowTypeError(env_, "Every element of \"fds\" must have a number as \"events\"");
    handles.push_back(socket);
    entries.push_back({platform::kInvalidSocket, static_cast<short>(events.As<Napi::Number>().Int32Value()), 0});
    objects.push_back(fd);
  }
  const int timeout = TimeoutArgument(info, 1);
  RequireStarted("WSAPoll");
  if (entries.empty()) ThrowWinsockError(platform::wsa::kInvalidArgument, "WSAPoll");  // as Winsock: nfds 0
  // Checked only now: reading the entries ran JavaScript (getters), which may have closed a socket already seen.
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!handles[i]->IsOpen()) ThrowWinsockError(platform::wsa::kNotSocket, "WSAPoll");
    entries[i].socket = handles[i]->Native();
  }

  const platform::Result<int> count = platform::Poll(entries, timeout);
  if (!count.ok()) ThrowWinsockError(count.error, "WSAPoll");
  for (std::size_t i = 0; i < entries.size(); ++i) objects[i].Set("revents", entries[i].revents);
  return Napi::Number::New(env_, count.value);
}

}  // namespace winsock
