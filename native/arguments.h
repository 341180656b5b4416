// Checks and conversions of JavaScript arguments for the binding functions. A bad argument throws a TypeError or
// RangeError that names it (with Node's ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE codes): an exception in JavaScript,
// never a crash.
#pragma once

#include <napi.h>

#include <climits>
#include <cstdint>
#include <optional>
#include <string>

namespace winsock::arguments {

// The range of a C int, which most Winsock arguments are.
inline constexpr std::int64_t kIntMin = INT_MIN;
inline constexpr std::int64_t kIntMax = INT_MAX;

// A view of the bytes of a Buffer, TypedArray, DataView or ArrayBuffer argument.
struct Bytes {
  void* data = nullptr;
  std::size_t length = 0;
};

[[noreturn]] void ThrowTypeError(Napi::Env env, const std::string& message);
[[noreturn]] void ThrowRangeError(Napi::Env env, const std::string& message);

// An integer in [min, max]; `undefined` gives `fallback` when one is provided.
std::int64_t Integer(const Napi::CallbackInfo& info, std::size_t index, const char* name, std::int64_t min,
                     std::int64_t max, std::optional<std::int64_t> fallback = std::nullopt);
// The same for one value, as the plain Node-API functions (async_calls.cc) read their positional arguments.
std::int64_t Integer(Napi::Env env, Napi::Value value, const char* name, std::int64_t min, std::int64_t max,
                     std::optional<std::int64_t> fallback = std::nullopt);
std::string String(const Napi::CallbackInfo& info, std::size_t index, const char* name);
// An AF_UNIX socket path: a string whose only NUL byte may be the first, which marks an abstract name (Linux).
std::string SocketPath(const Napi::CallbackInfo& info, std::size_t index, const char* name);
// A string, or std::nullopt for null/undefined, as the optional pointer arguments of the C API.
std::optional<std::string> OptionalString(const Napi::CallbackInfo& info, std::size_t index, const char* name);
Bytes ByteView(const Napi::CallbackInfo& info, std::size_t index, const char* name);
Bytes ByteView(Napi::Env env, Napi::Value value, const char* name);
// A flags argument: a C int, `undefined` read as 0. The common case, a number that is one, without leaving the
// caller; anything else through Integer, for its TypeError or RangeError.
inline int Flags(napi_env env, napi_value value) {
  double number = 0;
  // NaN fails the range check; in range, the cast is defined and gives back `number` exactly for an integer only.
  if (napi_get_value_double(env, value, &number) == napi_ok && number >= static_cast<double>(kIntMin) &&
      number <= static_cast<double>(kIntMax) &&
      static_cast<double>(static_cast<int>(number)) == number) {
    return static_cast<int>(number);
  }
  return static_cast<int>(Integer(Napi::Env(env), Napi::Value(env, value), "flags", kIntMin, kIntMax, 0));
}
Napi::Function Function(const Napi::CallbackInfo& info, std::size_t index, const char* name);

}  // namespace winsock::arguments
