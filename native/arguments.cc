#include "arguments.h"

#include <cmath>

namespace winsock::arguments {
namespace {

[[noreturn]] void ThrowWithCode(Napi::Error error, const char* code) {
  error.Set("code", Napi::String::New(error.Env(), code));
  throw error;
}

std::string Quoted(const char* name) { return std::string("The \"") + name + "\" argument"; }

// A detached buffer has no data; it reads as zero bytes long.
Bytes ViewOf(void* data, std::size_t length) { return data == nullptr ? Bytes{} : Bytes{data, length}; }

// The data pointers come from napi_get_typedarray_info/napi_get_dataview_info, not from the view's ArrayBuffer:
// node-addon-api's ArrayBuffer::Data() fails ("Invalid argument", a plain Error) for a view over a
// SharedArrayBuffer, which is not an ArrayBuffer to N-API.
Bytes TypedArrayBytes(Napi::Env env, Napi::TypedArray array) {
  void* data = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_get_typedarray_info(env, array, nullptr, nullptr, &data, nullptr, nullptr), Bytes{});
  return ViewOf(data, array.ByteLength());
}

Bytes DataViewBytes(Napi::Env env, Napi::DataView view) {
  std::size_t length = 0;
  void* data = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_get_dataview_info(env, view, &length, &data, nullptr, nullptr), Bytes{});
  return ViewOf(data, length);
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
  std::string text = info[index].As<Napi::String>().Utf8Value();
  // The OS reads a C string: "127.0.0.1\0anything" would silently become 127.0.0.1. Node refuses such strings too.
  if (text.find('\0') != std::string::npos) {
    ThrowWithCode(Napi::TypeError::New(info.Env(), Quoted(name) + " must be a string without null bytes"),
                  "ERR_INVALID_ARG_VALUE");
  }
  return text;
}

std::optional<std::string> OptionalString(const Napi::CallbackInfo& info, std::size_t index, const char* name) {
  if (info[index].IsNull() || info[index].IsUndefined()) return std::nullopt;
  return String(info, index, name);
}

Bytes ByteView(const Napi::CallbackInfo& info, std::size_t index, const char* name) {
  Napi::Value value = info[index];
  if (value.IsTypedArray()) return TypedArrayBytes(info.Env(), value.As<Napi::TypedArray>());
  if (value.IsDataView()) return DataViewBytes(info.Env(), value.As<Napi::DataView>());
  if (value.IsArrayBuffer()) {
    Napi::ArrayBuffer buffer = value.As<Napi::ArrayBuffer>();
    return ViewOf(buffer.Data(), buffer.ByteLength());
  }
  ThrowTypeError(info.Env(), Quoted(name) + " must be a Buffer, TypedArray, DataView or ArrayBuffer");
}

}  // namespace winsock::arguments
