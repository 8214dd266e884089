// faiss-node 0.5 expects faiss::idx_t (faiss >= 1.7.4); Debian's libfaiss 1.7.3 only has faiss::Index::idx_t.
#pragma once
#include <cstdint>
namespace faiss {
using idx_t = int64_t;
}
