// Names and numeric addresses: getnameinfo (blocking, and on the threadpool), gethostname, inet_pton, inet_ntop.
#include "addon.h"
#include "arguments.h"
#include "threadpool_work.h"

namespace winsock {

using arguments::kIntMax;
using arguments::kIntMin;

namespace {

class NameInfoWork : public ThreadpoolWork {
 public:
  NameInfoWork(WinsockAddon& addon, const Napi::Function& callback, platform::SocketAddress address, int flags)
      : ThreadpoolWork(addon, callback, "winsock:getnameinfo"), address_(address), flags_(flags) {}

  void Execute() override { result_ = platform::GetNameInfo(address_, flags_); }

 private:
  Outcome Settle(WinsockAddon& addon) override {
    if (!result_.ok()) {
      const platform::Endpoint endpoint = platform::DescribeAddress(address_);
      return Rejected(addon.MakeWinsockError(result_.error, "getnameinfo", &endpoint));
    }
    Napi::Object names = Napi::Object::New(Env());
    names.Set("host", result_.value.host);
    names.Set("service", result_.value.service);
    return Resolved(names);
  }

  platform::SocketAddress address_;
  int flags_;
  platform::Result<platform::NameInfo> result_;
};

}  // namespace

Napi::Value WinsockAddon::GetNameInfo(const Napi::CallbackInfo& info) {
  const platform::SocketAddress address = RequireAddress(info, 0, 0, "getnameinfo");
  const int flags = static_cast<int>(arguments::Integer(info, 2, "flags", kIntMin, kIntMax, 0));
  RequireStarted("getnameinfo");

  const platform::Result<platform::NameInfo> names = platform::GetNameInfo(address, flags);
  if (!names.ok()) {
    const platform::Endpoint endpoint = platform::DescribeAddress(address);
    ThrowWinsockError(names.error, "getnameinfo", &endpoint);
  }
  Napi::Object result = Napi::Object::New(env_);
  result.Set("host", names.value.host);
  result.Set("service", names.value.service);
  return result;
}

Napi::Value WinsockAddon::GetNameInfoAsync(const Napi::CallbackInfo& info) {
  const platform::SocketAddress address = RequireAddress(info, 0, 0, "getnameinfo");
  const int flags = static_cast<int>(arguments::Integer(info, 2, "flags", kIntMin, kIntMax, 0));
  const Napi::Function callback = arguments::Function(info, 3, "callback");
  RequireStarted("getnameinfo");

  auto* work = new NameInfoWork(*this, callback, address, flags);
  work->Queue();  // deletes itself once it has called back
  return env_.Undefined();
}

Napi::Value WinsockAddon::GetHostName(const Napi::CallbackInfo&) {
  RequireStarted("gethostname");

  const platform::Result<std::string> name = platform::GetHostName();
  if (!name.ok()) ThrowWinsockError(name.error, "gethostname");
  return Napi::String::New(env_, name.value);
}

Napi::Value WinsockAddon::InetPton(const Napi::CallbackInfo& info) {
  const int family = static_cast<int>(arguments::Integer(info, 0, "family", kIntMin, kIntMax));
  const std::string text = arguments::String(info, 1, "pszAddrString");

  const auto bytes = platform::ParseNumeric(family, text);
  if (!bytes.ok()) ThrowWinsockError(bytes.error, "inet_pton");
  return Napi::Buffer<std::uint8_t>::Copy(env_, bytes.value.data(), bytes.value.size());
}

Napi::Value WinsockAddon::InetNtop(const Napi::CallbackInfo& info) {
  const int family = static_cast<int>(arguments::Integer(info, 0, "family", kIntMin, kIntMax));
  const arguments::Bytes bytes = arguments::ByteView(info, 1, "pAddr");

  const auto text = platform::FormatNumeric(family, static_cast<const std::uint8_t*>(bytes.data), bytes.length);
  if (!text.ok()) ThrowWinsockError(text.error, "inet_ntop");
  return Napi::String::New(env_, text.value);
}

}  // namespace winsock
