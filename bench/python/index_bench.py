"""The faiss side of bench/index.ts, with Debian's python3-faiss on the same vectors (run by /usr/bin/python3).

    index_bench.py <dir> <specs.json>

<dir> holds vectors.npy and queries.npy (float32, row-major, unit rows). specs.json lists the index plans as
bench/index.ts makes them ({name, factory, hnsw: {m, efConstruction, efSearch} | null, ivf: {nlist, nprobe, trainRows}
| null}); each is built exactly as electron/core/index/faiss.ts builds it (parameters set first, IVF trained on the
same even spread of rows), then searched one query at a time. Prints one JSON object: per spec name, the seconds to
train and add, p50 / p95 ms per query, the top-10 rows of each query, the index file size and the peak RSS so far.
"""
import json
import os
import resource
import sys
import tempfile
import time

import faiss
import numpy as np

K = 10


def even_rows(rows, count):
    return [(i * rows) // count for i in range(count)]


def build(spec, x):
    index = faiss.index_factory(x.shape[1], spec['factory'], faiss.METRIC_INNER_PRODUCT)
    if spec['hnsw']:
        faiss.downcast_index(index).hnsw.efConstruction = spec['hnsw']['efConstruction']
        faiss.downcast_index(index).hnsw.efSearch = spec['hnsw']['efSearch']
    train_s = 0.0
    if spec['ivf']:
        count = spec['ivf']['trainRows']
        sample = x if count >= x.shape[0] else np.ascontiguousarray(x[even_rows(x.shape[0], count)])
        t = time.perf_counter()
        index.train(sample)
        train_s = time.perf_counter() - t
        faiss.extract_index_ivf(index).nprobe = spec['ivf']['nprobe']
    t = time.perf_counter()
    index.add(x)
    return index, train_s, time.perf_counter() - t


def main():
    folder, specs_path = sys.argv[1], sys.argv[2]
    x = np.load(os.path.join(folder, 'vectors.npy'), mmap_mode='r')
    x = np.ascontiguousarray(x)
    q = np.load(os.path.join(folder, 'queries.npy'))
    out = {}
    for spec in json.load(open(specs_path)):
        index, train_s, add_s = build(spec, x)
        for row in q[:5]:
            index.search(row[None, :], K)
        times, rows = [], []
        for row in q:
            t = time.perf_counter()
            _, labels = index.search(row[None, :], K)
            times.append((time.perf_counter() - t) * 1000)
            rows.append(labels[0].tolist())
        times.sort()
        with tempfile.NamedTemporaryFile(dir=folder, suffix='.faiss') as f:
            faiss.write_index(index, f.name)
            size = os.path.getsize(f.name)
        out[spec['name']] = {
            'train_s': train_s,
            'add_s': add_s,
            'p50_ms': times[len(times) // 2],
            'p95_ms': times[min(len(times) - 1, int(0.95 * len(times)))],
            'rows': rows,
            'index_bytes': size,
            'peak_rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
        del index
    print(json.dumps(out))


main()
