// CarLens additions to faiss-node's binding (applied by scripts/build-faiss-node.sh through faiss-node.patch):
// Float32Array add / train / search, filtered search parameters, exact search over a list of rows, HNSW / IVF
// parameter setters and reconstruction of a row range. Each function works on the wrapped faiss::Index.
#pragma once
#include "faiss-binding-io.h"
#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVF.h>
#include <faiss/impl/DistanceComputer.h>
#include <faiss/impl/IDSelector.h>
#include <algorithm>
#include <limits>
#include <memory>

namespace carlens
{

inline faiss::IndexHNSW *hnswIndex(faiss::Index &index) { return dynamic_cast<faiss::IndexHNSW *>(&index); }
inline faiss::IndexIVF *ivfIndex(faiss::Index &index) { return dynamic_cast<faiss::IndexIVF *>(&index); }

// search's optional third argument { efSearch?, nprobe?, allowed?: Uint8Array } as the SearchParameters of this
// index's type. faiss 1.7.3 honours params->sel (here an IDSelectorBitmap over `allowed`, row r set when bit r & 7
// of byte r >> 3 is) in IndexFlat, IndexIVF and IndexHNSW searches.
struct SearchOptions
{
  faiss::SearchParametersHNSW hnsw;
  faiss::SearchParametersIVF ivf;
  faiss::SearchParameters plain;
  std::unique_ptr<faiss::IDSelectorBitmap> selector;
  faiss::SearchParameters *chosen = nullptr;
};

inline void readSearchOptions(Napi::Env env, faiss::Index &index, const Napi::Value &value, SearchOptions &out)
{
  if (value.IsUndefined() || value.IsNull())
    return;
  if (!value.IsObject())
    throw Napi::TypeError::New(env, "Invalid the third argument type, must be an object.");
  Napi::Object options = value.As<Napi::Object>();
  Napi::Value efSearch = options.Get("efSearch");
  Napi::Value nprobe = options.Get("nprobe");
  Napi::Value allowed = options.Get("allowed");
  if (auto *hnsw = hnswIndex(index))
  {
    out.hnsw.efSearch = efSearch.IsUndefined() ? hnsw->hnsw.efSearch : positiveInteger(env, efSearch, "efSearch");
    out.chosen = &out.hnsw;
  }
  else if (auto *ivf = ivfIndex(index))
  {
    out.ivf.nprobe = nprobe.IsUndefined() ? ivf->nprobe : positiveInteger(env, nprobe, "nprobe");
    out.ivf.max_codes = ivf->max_codes;
    out.chosen = &out.ivf;
  }
  else
  {
    out.chosen = &out.plain;
  }
  if (!efSearch.IsUndefined() && out.chosen != &out.hnsw)
    throw Napi::Error::New(env, "efSearch applies to HNSW indexes only.");
  if (!nprobe.IsUndefined() && out.chosen != &out.ivf)
    throw Napi::Error::New(env, "nprobe applies to IVF indexes only.");
  if (!allowed.IsUndefined())
  {
    if (!allowed.IsTypedArray() || allowed.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
      throw Napi::TypeError::New(env, "allowed must be a Uint8Array bitmap.");
    auto bits = allowed.As<Napi::Uint8Array>();
    out.selector.reset(new faiss::IDSelectorBitmap(bits.ElementLength(), bits.Data()));
    out.chosen->sel = out.selector.get();
  }
}

inline Napi::Value add(faiss::Index &index, const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  if (info.Length() != 1)
    throw Napi::Error::New(env, "Expected 1 argument, but got " + std::to_string(info.Length()) + ".");
  FloatInput x;
  readFloats(env, info[0], index.d, "first", x);
  guarded(env, [&] { index.add(x.length / index.d, x.data()); });
  return env.Undefined();
}

inline Napi::Value train(faiss::Index &index, const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  if (info.Length() != 1)
    throw Napi::Error::New(env, "Expected 1 argument, but got " + std::to_string(info.Length()) + ".");
  FloatInput x;
  readFloats(env, info[0], index.d, "first", x);
  guarded(env, [&] { index.train(x.length / index.d, x.data()); });
  return env.Undefined();
}

inline Napi::Value search(faiss::Index &index, const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  if (info.Length() != 2 && info.Length() != 3)
    throw Napi::Error::New(env, "Expected 2 or 3 arguments, but got " + std::to_string(info.Length()) + ".");
  if (!info[1].IsNumber())
    throw Napi::TypeError::New(env, "Invalid the second argument type, must be a Number.");
  const uint32_t k = info[1].As<Napi::Number>().Uint32Value();
  if (k > index.ntotal)
    throw Napi::Error::New(env, "Invalid the number of k (cannot be given a value greater than `ntotal`: " +
                                    std::to_string(index.ntotal) + ").");
  FloatInput xq;
  readFloats(env, info[0], index.d, "first", xq);
  SearchOptions options;
  if (info.Length() == 3)
    readSearchOptions(env, index, info[2], options);
  const size_t nq = xq.length / index.d;
  std::vector<faiss::idx_t> I(k * nq);
  std::vector<float> D(k * nq);
  guarded(env, [&] { index.search(nq, xq.data(), k, D.data(), I.data(), options.chosen); });
  return results(env, D, I);
}

// The exact k best of the given rows (an Int32Array), best first, ties by lower row: for filters that pass few
// rows, where a filtered ANN search would wander far for few hits. Flat and HNSW storages score through faiss's
// own distance computer (the same function their searches use); an IVF index is searched exhaustively (every list)
// restricted to the rows.
inline Napi::Value searchSubset(faiss::Index &index, const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  if (info.Length() != 3)
    throw Napi::Error::New(env, "Expected 3 arguments, but got " + std::to_string(info.Length()) + ".");
  if (!info[1].IsNumber())
    throw Napi::TypeError::New(env, "Invalid the second argument type, must be a Number.");
  if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(env, "Invalid the third argument type, must be an Int32Array of rows.");
  const size_t k = info[1].As<Napi::Number>().Uint32Value();
  FloatInput xq;
  readFloats(env, info[0], index.d, "first", xq);
  auto rowsArray = info[2].As<Napi::Int32Array>();
  const int32_t *rows = rowsArray.Data();
  const size_t count = rowsArray.ElementLength();
  for (size_t i = 0; i < count; i++)
    if (rows[i] < 0 || rows[i] >= index.ntotal)
      throw Napi::Error::New(env, "row " + std::to_string(rows[i]) + " is outside the index (" +
                                      std::to_string(index.ntotal) + " vectors).");
  const size_t nq = xq.length / index.d;
  const bool higherIsBetter = index.metric_type == faiss::METRIC_INNER_PRODUCT;
  std::vector<faiss::idx_t> I(k * nq, -1);
  std::vector<float> D(k * nq, higherIsBetter ? -std::numeric_limits<float>::infinity()
                                              : std::numeric_limits<float>::infinity());
  if (k == 0 || count == 0)
    return results(env, D, I);

  const faiss::Index *storage = &index;
  if (auto *hnsw = hnswIndex(index))
    storage = hnsw->storage;
  if (auto *ivf = ivfIndex(index))
  {
    std::vector<uint8_t> bits((index.ntotal + 7) / 8, 0);
    for (size_t i = 0; i < count; i++)
      bits[rows[i] >> 3] |= uint8_t(1u << (rows[i] & 7));
    faiss::IDSelectorBitmap selector(bits.size(), bits.data());
    faiss::SearchParametersIVF params;
    params.nprobe = ivf->nlist;
    params.sel = &selector;
    const size_t kk = std::min(k, count);
    std::vector<faiss::idx_t> Ik(kk * nq);
    std::vector<float> Dk(kk * nq);
      guarded(env, [&] { index.search(nq, xq.data(), kk, Dk.data(), Ik.data(), &params); });
    for (size_t q = 0; q < nq; q++)
      for (size_t j = 0; j < kk; j++)
      {
        I[q * k + j] = Ik[q * kk + j];
        D[q * k + j] = Dk[q * kk + j];
      }
    return results(env, D, I);
  }

  std::unique_ptr<faiss::DistanceComputer> computer;
  guarded(env, [&] { computer.reset(storage->get_distance_computer()); });
  std::vector<std::pair<float, faiss::idx_t>> scored(count);
  auto better = [higherIsBetter](const std::pair<float, faiss::idx_t> &a, const std::pair<float, faiss::idx_t> &b) {
    if (a.first != b.first)
      return higherIsBetter ? a.first > b.first : a.first < b.first;
    return a.second < b.second;
  };
  const size_t kk = std::min(k, count);
  for (size_t q = 0; q < nq; q++)
  {
    computer->set_query(xq.data() + q * index.d);
    for (size_t i = 0; i < count; i++)
      scored[i] = {(*computer)(rows[i]), rows[i]};
    std::partial_sort(scored.begin(), scored.begin() + kk, scored.end(), better);
    for (size_t j = 0; j < kk; j++)
    {
      D[q * k + j] = scored[j].first;
      I[q * k + j] = scored[j].second;
    }
  }
  return results(env, D, I);
}

inline Napi::Value setEfConstruction(faiss::Index &index, const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  auto *hnsw = hnswIndex(index);
  if (!hnsw)
    throw Napi::Error::New(env, "efConstruction applies to HNSW indexes only.");
  hnsw->hnsw.efConstruction = positiveInteger(env, info[0], "efConstruction");
  return env.Undefined();
}

inline Napi::Value setEfSearch(faiss::Index &index, const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  auto *hnsw = hnswIndex(index);
  if (!hnsw)
    throw Napi::Error::New(env, "efSearch applies to HNSW indexes only.");
  hnsw->hnsw.efSearch = positiveInteger(env, info[0], "efSearch");
  return env.Undefined();
}

inline Napi::Value setNprobe(faiss::Index &index, const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  auto *ivf = ivfIndex(index);
  if (!ivf)
    throw Napi::Error::New(env, "nprobe applies to IVF indexes only.");
  ivf->nprobe = positiveInteger(env, info[0], "nprobe");
  return env.Undefined();
}

// What the index is and searches with: { kind: 'hnsw' | 'ivf' | 'flat', metric, efConstruction, efSearch, m } or
// { ..., nlist, nprobe }, read from the index itself (so a file read back reports what it really holds).
inline Napi::Value parameters(faiss::Index &index, const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("metric", Napi::Number::New(env, index.metric_type));
  if (auto *hnsw = hnswIndex(index))
  {
    out.Set("kind", "hnsw");
    out.Set("m", Napi::Number::New(env, hnsw->hnsw.nb_neighbors(1)));
    out.Set("efConstruction", Napi::Number::New(env, hnsw->hnsw.efConstruction));
    out.Set("efSearch", Napi::Number::New(env, hnsw->hnsw.efSearch));
  }
  else if (auto *ivf = ivfIndex(index))
  {
    out.Set("kind", "ivf");
    out.Set("nlist", Napi::Number::New(env, static_cast<double>(ivf->nlist)));
    out.Set("nprobe", Napi::Number::New(env, static_cast<double>(ivf->nprobe)));
  }
  else
  {
    out.Set("kind", dynamic_cast<faiss::IndexFlat *>(&index) ? "flat" : "other");
  }
  return out;
}

// Rows [start, start + n) as stored (decoded for compressed storages), row-major in one Float32Array.
inline Napi::Value reconstructRange(faiss::Index &index, const Napi::CallbackInfo &info)
{
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsNumber() || !info[1].IsNumber())
    throw Napi::TypeError::New(env, "Expected (start, n) as numbers.");
  const int64_t start = info[0].As<Napi::Number>().Int64Value();
  const int64_t n = info[1].As<Napi::Number>().Int64Value();
  if (start < 0 || n < 0 || start + n > index.ntotal)
    throw Napi::Error::New(env, "rows " + std::to_string(start) + ".." + std::to_string(start + n) +
                                    " are outside the index (" + std::to_string(index.ntotal) + " vectors).");
  auto out = Napi::Float32Array::New(env, static_cast<size_t>(n * index.d));
  if (n > 0)
    guarded(env, [&] { index.reconstruct_n(start, n, out.Data()); });
  return out;
}

} // namespace carlens
