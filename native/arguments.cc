#include "arguments.h"

#include <cmath>

namespace winsock::arguments {
namespace {

[[noreturn]] void ThrowWithCode(Napi::Error error, const char* code) {
  error.Set("code", Napi::String::New(error.Env(), code));
  throw error;
}

std::string Quoted(const char* name) { return std::string("The \"") + name + "\" argument"; }

// Whether the memory behind a view or buffer has been transferred away (structuredClone, postMessage).
bool IsDetached(Napi::Value value) {
  Napi::Value buffer = value;
  if (value.IsTypedArray()) buffer = value.As<Napi::TypedArray>().ArrayBuffer();
  else if (value.IsDataView()) buffer = value.As<Napi::DataView>().ArrayBuffer();
  if (!buffer.IsArrayBuffer()) return false;  // a SharedArrayBuffer cannot be detached
  bool detached = false;
  napi_is_detached_arraybuffer(value.Env(), buffer, &detached);
  return detached;
}

// The realm's own prototype `depth` steps above `fresh`, an object made here: V8 gives a new Uint8Array, DataView or
// ArrayBuffer the realm's own prototypes whatever a caller's class or the global bindings say, so a subclass of the
// caller's cannot stand in for them.
Napi::Object IntrinsicPrototype(Napi::Env env, napi_value fresh, int depth) {
  napi_value current = fresh;
  for (int step = 0; step < depth; ++step) {
    NAPI_THROW_IF_FAILED(env, napi_get_prototype(env, current, &current), Napi::Object());
  }
  return Napi::Object(env, current);
}

// Whether a view has gone out of bounds of a resizable ArrayBuffer that shrank under it. Node-API reports such a view
// as 0 bytes long, which a recv would answer with 0, read as the end of the stream. JavaScript's own accessors that
// validate a view (TypedArray.prototype.at, DataView's byteLength) throw for it: ask them, on this rare path only.
// Their own, through Reflect.get and a call with the view as receiver, never the view's: a subclass overriding `at`
// (or `byteLength`, or its buffer's `resizable`) made a recvInto into an out-of-bounds view read 0 bytes with data
// waiting (test/conformance/attack-armed-reads.test.ts).
bool IsOutOfBounds(Napi::Value value) {
  if (!value.IsTypedArray() && !value.IsDataView()) return false;
  Napi::Env env = value.Env();
  Napi::Value buffer = value.IsTypedArray() ? value.As<Napi::TypedArray>().ArrayBuffer().As<Napi::Value>()
                                            : value.As<Napi::DataView>().ArrayBuffer().As<Napi::Value>();
  if (!buffer.IsArrayBuffer()) return false;  // a SharedArrayBuffer only grows
  const Napi::Function reflect_get = env.Global().Get("Reflect").As<Napi::Object>().Get("get").As<Napi::Function>();
  napi_value fresh_buffer = nullptr;
  NAPI_THROW_IF_FAILED(env, napi_create_arraybuffer(env, 0, nullptr, &fresh_buffer), false);
  const Napi::Value resizable =
      reflect_get.Call({IntrinsicPrototype(env, fresh_buffer, 1), Napi::String::New(env, "resizable"), buffer});
  if (!resizable.IsBoolean() || !resizable.As<Napi::Boolean>().Value()) return false;
  Napi::Object view = value.As<Napi::Object>();
  try {
    napi_value fresh = nullptr;
    if (value.IsDataView()) {
      NAPI_THROW_IF_FAILED(env, napi_create_dataview(env, 0, fresh_buffer, 0, &fresh), false);
      reflect_get.Call({IntrinsicPrototype(env, fresh, 1), Napi::String::New(env, "byteLength"), view});
    } else {
      NAPI_THROW_IF_FAILED(env, napi_create_typedarray(env, napi_uint8_array, 0, fresh_buffer, 0, &fresh), false);
      IntrinsicPrototype(env, fresh, 2).Get("at").As<Napi::Function>().Call(view, {Napi::Number::New(env, 0)});
    }
  } catch (const Napi::Error&) {
    return true;
  }
  return false;
}

// A view with no memory behind it (detached, or out of bounds of its shrunk buffer) is refused: reading "0 bytes"
// into it would look like the peer closing the connection.
void RefuseViewWithoutMemory(Napi::Value value, const char* name) {
  if (IsDetached(value)) ThrowTypeError(value.Env(), Quoted(name) + " is detached");
  if (IsOutOfBounds(value)) ThrowTypeError(value.Env(), Quoted(name) + " is out of bounds of its resized ArrayBuffer");
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
  return Integer(info.Env(), info[index], name, min, max, fallback);
}

std::int64_t Integer(Napi::Env env, Napi::Value value, const char* name, std::int64_t min, std::int64_t max,
                     std::optional<std::int64_t> fallback) {
  // One Node-API call in the common case, a number; it fails for anything else, which is then sorted out.
  double number = 0;
  const bool is_number = napi_get_value_double(env, value, &number) == napi_ok;
  // An integer in range, in a few comparisons (NaN fails the first): the common case of every flags argument.
  if (is_number && number >= static_cast<double>(min) && number <= static_cast<double>(max) && number < 0x1p63 &&
      number == static_cast<double>(static_cast<std::int64_t>(number))) {
    return static_cast<std::int64_t>(number);
  }
  if (!is_number) {
    if (value.IsUndefined() && fallback) return *fallback;
    ThrowTypeError(env, Quoted(name) + " must be of type number");
  }
  if (!std::isfinite(number) || std::trunc(number) != number || number < static_cast<double>(min) ||
      number > static_cast<double>(max)) {
    ThrowRangeError(env, Quoted(name) + " must be an integer >= " + std::to_string(min) + " and <= " +
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

std::string SocketPath(const Napi::CallbackInfo& info, std::size_t index, const char* name) {
  if (!info[index].IsString()) ThrowTypeError(info.Env(), Quoted(name) + " must be of type string");
  std::string path = info[index].As<Napi::String>().Utf8Value();
  // "\0name" is an abstract name, as in Node's net; a NUL anywhere else would cut the path short in the kernel.
  if (path.find('\0', 1) != std::string::npos) {
    ThrowWithCode(Napi::TypeError::New(info.Env(), Quoted(name) + " must be a path without null bytes after the first"),
                  "ERR_INVALID_ARG_VALUE");
  }
  return path;
}

Napi::Function Function(const Napi::CallbackInfo& info, std::size_t index, const char* name) {
  if (!info[index].IsFunction()) ThrowTypeError(info.Env(), Quoted(name) + " must be of type function");
  return info[index].As<Napi::Function>();
}

std::optional<std::string> OptionalString(const Napi::CallbackInfo& info, std::size_t index, const char* name) {
  if (info[index].IsNull() || info[index].IsUndefined()) return std::nullopt;
  return String(info, index, name);
}

Bytes ByteView(const Napi::CallbackInfo& info, std::size_t index, const char* name) {
  return ByteView(info.Env(), info[index], name);
}

Bytes ByteView(Napi::Env env, Napi::Value view, const char* name) {
  // The data pointers come straight from N-API, which also covers views of a SharedArrayBuffer.
  napi_value value = view;
  void* data = nullptr;
  std::size_t length = 0;
  // The common case in one call: napi_get_buffer_info takes any ArrayBufferView (a Buffer, TypedArray or DataView)
  // and gives its data pointer, already moved by the view's offset, and its length in bytes.
  if (napi_get_buffer_info(env, value, &data, &length) == napi_ok) {
    if (length == 0) RefuseViewWithoutMemory(view, name);
    return Bytes{data, length};
  }
  // An ArrayBuffer, and any view a Node-API version might not take as a buffer, the long way.
  if (view.IsTypedArray()) {
    napi_typedarray_type type;
    std::size_t elements = 0;
    NAPI_THROW_IF_FAILED(env, napi_get_typedarray_info(env, value, &type, &elements, &data, nullptr, nullptr), Bytes{});
    length = view.As<Napi::TypedArray>().ByteLength();
  } else if (view.IsDataView()) {
    NAPI_THROW_IF_FAILED(env, napi_get_dataview_info(env, value, &length, &data, nullptr, nullptr), Bytes{});
  } else if (view.IsArrayBuffer()) {
    NAPI_THROW_IF_FAILED(env, napi_get_arraybuffer_info(env, value, &data, &length), Bytes{});
  } else {
    ThrowTypeError(env, Quoted(name) + " must be a Buffer, TypedArray, DataView or ArrayBuffer");
  }
  if (length == 0) RefuseViewWithoutMemory(view, name);
  return Bytes{data, length};
}

}  // namespace winsock::arguments
