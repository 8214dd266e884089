// CarLens additions to faiss-node's binding (applied by scripts/build-faiss-node.sh through faiss-node.patch):
// converting arguments and results between JavaScript and faiss without copying typed arrays.
#pragma once
#include <napi.h>
#include <faiss/Index.h>
#include <functional>
#include <string>
#include <vector>

namespace carlens
{

// CarLens: vectors arrive as a Float32Array read in place (no per-element JS access, no copy); a plain Array of
// numbers is still accepted and copied, as faiss-node always did.
struct FloatInput
{
  const float *typed = nullptr;
  std::vector<float> copy;
  size_t length = 0;
  const float *data() const { return typed ? typed : copy.data(); }
};

inline void readFloats(Napi::Env env, const Napi::Value &value, size_t d, const char *which, FloatInput &in)
{
  if (value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array)
  {
    auto typed = value.As<Napi::Float32Array>();
    in.typed = typed.Data();
    in.length = typed.ElementLength();
  }
  else if (value.IsArray())
  {
    Napi::Array arr = value.As<Napi::Array>();
    in.length = arr.Length();
    in.copy.resize(in.length);
    for (size_t i = 0; i < in.length; i++)
    {
      Napi::Value val = arr[i];
      if (!val.IsNumber())
        throw Napi::Error::New(env, "Expected a Number as array item. (at: " + std::to_string(i) + ")");
      in.copy[i] = val.As<Napi::Number>().FloatValue();
    }
  }
  else
  {
    throw Napi::TypeError::New(env, std::string("Invalid the ") + which + " argument type, must be an Array or a Float32Array.");
  }
  if (d == 0 || in.length % d != 0)
    throw Napi::Error::New(env, "Invalid the given array length.");
}

// faiss reports bad input and I/O failures as C++ exceptions; node-addon-api only converts its own Napi::Error,
// so anything else would abort the process.
inline void guarded(Napi::Env env, const std::function<void()> &call)
{
  try
  {
    call();
  }
  catch (const Napi::Error &)
  {
    throw;
  }
  catch (const std::exception &ex)
  {
    throw Napi::Error::New(env, ex.what());
  }
}

inline uint32_t positiveInteger(Napi::Env env, const Napi::Value &value, const char *name)
{
  if (!value.IsNumber())
    throw Napi::TypeError::New(env, std::string(name) + " must be a number.");
  double v = value.As<Napi::Number>().DoubleValue();
  if (!(v >= 1) || v != static_cast<double>(static_cast<uint32_t>(v)))
    throw Napi::Error::New(env, std::string(name) + " must be a positive integer.");
  return static_cast<uint32_t>(v);
}
// Results as typed arrays: distances as float32 (what faiss computed), labels as float64 (exact for any row).
inline Napi::Object results(Napi::Env env, const std::vector<float> &D, const std::vector<faiss::idx_t> &I)
{
  auto distances = Napi::Float32Array::New(env, D.size());
  auto labels = Napi::Float64Array::New(env, I.size());
  std::copy(D.begin(), D.end(), distances.Data());
  for (size_t i = 0; i < I.size(); i++)
    labels[i] = static_cast<double>(I[i]);
  Napi::Object out = Napi::Object::New(env);
  out.Set("distances", distances);
  out.Set("labels", labels);
  return out;
}

} // namespace carlens
