#include "arguments.h"

#include <cmath>

namespace winsock::arguments {
namespace {

[[noreturn]] void ThrowWithCode(Napi::Error error, const char* code) {
  error.Set("code", Napi::String::New(error.Env(), code));
  throw error;
}

std::string Quoted(const char* name) { return std::string("The \"") + name + "\" argument"; }

Bytes ViewOf(void* base, std::size_t offset, std::size_t length) {
  // A detached buffer has no data; it reads as zero bytes long.
  if (base == nullptr) return Bytes{};
  return Bytes{static_cast<std::uint8_t*>(base) + offset, length};
}

}  // namespace

void ThrowTypeError(Napi::Env env, const std::string& message) {
  ThrowWithCode(Napi::TypeError::New(env, message), "ERR_INVALID_ARG_TYPE");
}

void ThrowRangeError(Napi::Env env, const std::string& message) {
  ThrowWithCode(Napi::RangeError::New(env, message), "ERR_OUT_OF_RANGE");
}

std::int64_t Integer(const Napi::CallbackInfo& info, std::size_t index, const char* name, std::int64_t min,
                     std::int64_t max, std::optional<std::int64_t> fallback) {
  Napi::Value value = info[index];
  if (value.IsUndefined() && fallback) return *fallback;
  if (!value.IsNumber()) ThrowTypeError(info.Env(), Quoted(name) + " must be of type number");
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(number) || std::trunc(number) != number || number < static_cast<double>(min) ||
      number > static_cast<double>(max)) {
    ThrowRangeError(info.Env(), Quoted(name) + " must be an integer >= " + std::to_string(min) + " and <= " +
                                    std::to_string(max) + ". Received " + value.ToString().Utf8Value());
  }
  return static_cast<std::int64_t>(number);
}

std::string String(const Napi::CallbackInfo& info, std::size_t index, const char* name) {
  if (!info[index].IsString()) ThrowTypeError(info.Env(), Quoted(name) + " must be of type string");
  return info[index].As<Napi::String>().Utf8Value();
}

std::optional<std::string> OptionalString(const Napi::CallbackInfo& info, std::size_t index, const char* name) {
  if (info[index].IsNull() || info[index].IsUndefined()) return std::nullopt;
  return String(info, index, name);
}

Bytes ByteView(const Napi::CallbackInfo& info, std::size_t index, const char* name) {
  Napi::Value value = info[index];
  if (value.IsTypedArray()) {
    Napi::TypedArray array = value.As<Napi::TypedArray>();
    return ViewOf(array.ArrayBuffer().Data(), array.ByteOffset(), array.ByteLength());
  }
  if (value.IsDataView()) {
    Napi::DataView view = value.As<Napi::DataView>();
    return ViewOf(view.ArrayBuffer().Data(), view.ByteOffset(), view.ByteLength());
  }
  if (value.IsArrayBuffer()) {
    Napi::ArrayBuffer buffer = value.As<Napi::ArrayBuffer>();
    return ViewOf(buffer.Data(), 0, buffer.ByteLength());
  }
  ThrowTypeError(info.Env(), Quoted(name) + " must be a Buffer, TypedArray, DataView or ArrayBuffer");
}

}  // namespace winsock::arguments
