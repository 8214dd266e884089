/**
 * Phase 3 throughput on this machine, through the Embedder as runEmbeddings calls it: crops/s image-only (with and
 * without multi-patch), text-only and fused, on real crops cut from car-parts-undamaged photos; the image tower's
 * GFLOPs per image (Conv/MatMul/Gemm counted from the graph) against the GFLOP/s of a plain onnxruntime MatMul
 * measured in the same run; and same-part retrieval quality of the image tower (P@1, P@5 over part crops of
 * car-parts-undamaged, neighbours from other photos only), the measure used to choose the offline tower's tensors
 * (pass a copy of the manifest with other `derive.tensors` to compare recipes). The floor table: wall and CPU ms per crop
 * of embedImages beside the image tower's session alone on as many views (same shapes and batches); the floor ratio
 * is tower alone / total (wall time; the CPU floor ratio in CPU time, steadier on a loaded machine), and the rest
 * is the share of time spent outside the model (decode, resize, tensors); best of three runs of each. Its last row
 * is the whole phase (runEmbeddings on a temporary workspace: batches pipelined, checkpoints and outputs written).
 *   npx tsx bench/embedder.ts [manifest=native-models/offline-visual-lexical/manifest.json] [crops=64] [partPhotos=80]
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import sharp from 'sharp';
import { derivedTowerPath } from '../electron/core/embedder/derive-tower';
import { loadEmbedder, type Embedder } from '../electron/core/embedder/embedder';
import { countFlops } from '../electron/core/embedder/graph-flops';
import { DEFAULT_EMBEDDER_MANIFEST } from '../electron/core/embedder/manifest';
import { sharedDir } from '../electron/core/models/paths';
import { timePhase3 } from './phase3-run';

const manifestPath = process.argv[2] ?? DEFAULT_EMBEDDER_MANIFEST;
const count = Number(process.argv[3] ?? 64);
const partPhotos = Number(process.argv[4] ?? 80);
const { onnx } = onnxProto;

/** Small crops (one view each) and whole 512² photos (global view + 9 patches with a 224 input). */
async function realCrops(n: number): Promise<{ small: Buffer[]; large: string[]; texts: string[] }> {
  const dir = join(sharedDir(), 'datasets', 'car-parts-undamaged');
  const photos = (await readdir(dir)).filter((f) => f.endsWith('.jpg')).sort().slice(0, n).map((f) => join(dir, f));
  const small = await Promise.all(photos.map((p, i) => sharp(p).extract({ left: (i * 37) % 256, top: (i * 53) % 256, width: 224, height: 200 }).jpeg().toBuffer()));
  const parts = ['front left door', 'rear bumper', 'hood', 'right headlight', 'trunk lid', 'left mirror'];
  const kinds = ['dent', 'scratch', 'no damage', 'broken part'];
  const texts = photos.map((_, i) => `${kinds[i % kinds.length]} on the ${parts[i % parts.length]}, zone ${1 + (i % 10)}`);
  return { small, large: photos.slice(0, Math.max(4, n / 4)), texts };
}

/** Part crops (polygon bounding boxes ≥ 48 px), labelled by part group: left/right and front/back merged. */
async function partCrops(photos: number): Promise<{ image: Buffer; part: string; photo: string }[]> {
  const dir = join(sharedDir(), 'datasets', 'car-parts-undamaged');
  const group = (label: string) =>
    label.replace('part_', '').replace(/^(front|back)_(left|right)_/, '').replace(/^(left|right|front|back)_/, '').replace('tailgate', 'trunk');
  const out: { image: Buffer; part: string; photo: string }[] = [];
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort().slice(0, photos)) {
    const json = JSON.parse(await readFile(join(dir, file), 'utf8')) as { imagePath: string; imageWidth: number; imageHeight: number; shapes: { label: string; points: number[][] }[] };
    for (const shape of json.shapes) {
      const xs = shape.points.map((p) => p[0]!);
      const ys = shape.points.map((p) => p[1]!);
      const left = Math.max(0, Math.floor(Math.min(...xs)));
      const top = Math.max(0, Math.floor(Math.min(...ys)));
      const width = Math.min(json.imageWidth, Math.ceil(Math.max(...xs))) - left;
      const height = Math.min(json.imageHeight, Math.ceil(Math.max(...ys))) - top;
      if (width < 48 || height < 48) continue;
      out.push({ image: await sharp(join(dir, json.imagePath)).extract({ left, top, width, height }).png().toBuffer(), part: group(shape.label), photo: file });
    }
  }
  return out;
}

async function samePartRetrieval(embedder: Embedder): Promise<string> {
  const crops = await partCrops(partPhotos);
  const vectors = await embedder.embedImages(crops.map((c) => c.image), { multiPatch: false });
  let p1 = 0;
  let p5 = 0;
  for (const [i, crop] of crops.entries()) {
    const ranked = crops
      .map((other, j) => ({ j, score: other.photo === crop.photo ? -Infinity : vectors[i]!.reduce((s, v, k) => s + v * vectors[j]![k]!, 0) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 5);
    p1 += crops[ranked[0]!.j]!.part === crop.part ? 1 : 0;
    p5 += ranked.filter((r) => crops[r.j]!.part === crop.part).length / 5;
  }
  return `same-part retrieval (${crops.length} part crops of ${partPhotos} photos): P@1 ${(p1 / crops.length).toFixed(3)}, P@5 ${(p5 / crops.length).toFixed(3)}`;
}

async function rate(label: string, items: number, run: () => Promise<unknown>): Promise<number> {
  await run(); // warm-up: first-run allocations and sharp's thread pool
  const t = performance.now();
  await run();
  const perSecond = items / ((performance.now() - t) / 1000);
  console.log(`${label.padEnd(44)} ${perSecond.toFixed(1).padStart(8)} /s`);
  return perSecond;
}

async function matmulGflops(n = 1024, runs = 10): Promise<number> {
  const tensor = (name: string) => onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({ tensorType: onnx.TypeProto.Tensor.create({ elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimValue: n }, { dimValue: n }] } }) }),
  });
  const model = onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name: 'matmul', node: [{ opType: 'MatMul', input: ['a', 'b'], output: ['c'] }], input: [tensor('a'), tensor('b')], output: [tensor('c')] },
  })).finish();
  const session = await ort.InferenceSession.create(model);
  const data = Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000);
  const feeds = { a: new ort.Tensor('float32', data, [n, n]), b: new ort.Tensor('float32', data, [n, n]) };
  await session.run(feeds);
  const t = performance.now();
  for (let i = 0; i < runs; i++) await session.run(feeds);
  const seconds = (performance.now() - t) / 1000;
  await session.release();
  return (2 * n ** 3 * runs) / seconds / 1e9;
}

async function towerFlops(embedder: Embedder): Promise<number> {
  const { image } = embedder.manifest;
  const path = image.derive ? await derivedTowerPath(embedder.manifest.id, embedder.manifest.files.deriveSource!, image.derive) : embedder.manifest.files.image!;
  const input = new ort.Tensor('float32', new Float32Array(3 * image.width * image.height), [1, 3, image.height, image.width]);
  return (await countFlops(await readFile(path), { [image.input]: input })).total;
}

const embedder = await loadEmbedder(manifestPath);
const { small, large, texts } = await realCrops(count);
console.log(`model ${embedder.manifest.id} (${embedder.manifest.aligned ? 'aligned' : 'not aligned'}), provider ${embedder.providerUsed}, fused dim ${embedder.dim}, input ${embedder.manifest.image.width}×${embedder.manifest.image.height}, batch ${embedder.manifest.image.maxBatch}`);
console.log(`${small.length} crops of 224×200, ${large.length} photos of 512×512 (multi-patch: 1 global + 9 patches)\n`);
const imageOnly = await rate('image-only, crops ≤ input (1 view)', small.length, () => embedder.embedImages(small, { multiPatch: false }));
await rate('image-only, 512² photos, no multi-patch', large.length, () => embedder.embedImages(large, { multiPatch: false }));
await rate('image-only, 512² photos, multi-patch', large.length, () => embedder.embedImages(large, { multiPatch: true }));
await rate('text-only', texts.length, () => embedder.embedTexts(texts));
await rate(`fused (${embedder.fusion.strategy}), crops ≤ input`, small.length, () => embedder.embedCrops(small.map((image, i) => ({ image, text: texts[i]! }))));
await rate(`fused (${embedder.fusion.strategy}), 512² photos, multi-patch`, large.length, () => embedder.embedCrops(large.map((image, i) => ({ image, text: texts[i]! }))));

/** The image tower's session alone over `views` inputs in batches of maxBatch: the time phase 3 cannot go under. */
async function towerAlone(embedder: Embedder, views: number): Promise<{ wall: number; cpu: number }> {
  const { image } = embedder.manifest;
  const path = image.derive ? await derivedTowerPath(embedder.manifest.id, embedder.manifest.files.deriveSource!, image.derive) : embedder.manifest.files.image!;
  const session = await ort.InferenceSession.create(path, { executionProviders: ['cpu'] });
  const size = 3 * image.width * image.height;
  const feed = (n: number) => ({ [image.input]: new ort.Tensor('float32', Float32Array.from({ length: n * size }, (_, i) => (i * 7919) % 255), [n, 3, image.height, image.width]) });
  const batches = Array.from({ length: Math.ceil(views / image.maxBatch) }, (_, i) => feed(Math.min(image.maxBatch, views - i * image.maxBatch)));
  await session.run(batches[0]!);
  const cpu = process.cpuUsage();
  const t = performance.now();
  for (const batch of batches) await session.run(batch);
  const wall = performance.now() - t;
  const used = process.cpuUsage(cpu);
  await session.release();
  return { wall, cpu: (used.user + used.system) / 1000 };
}

/** Wall and CPU ms per crop of one embedImages call, beside the tower alone on as many views. */
async function floorRow(label: string, images: (string | Buffer)[], multiPatch: boolean, viewsPerImage: number): Promise<string[]> {
  await embedder.embedImages(images, { multiPatch });
  // The best of three runs, for both sides: the machine is shared, and others' load only ever adds time.
  let wall = Infinity;
  let cpuMs = 0;
  let alone = { wall: Infinity, cpu: Infinity };
  for (let run = 0; run < 3; run++) {
    const cpu = process.cpuUsage();
    const t = performance.now();
    await embedder.embedImages(images, { multiPatch });
    const ms = performance.now() - t;
    const used = process.cpuUsage(cpu);
    if (ms < wall) [wall, cpuMs] = [ms, (used.user + used.system) / 1000];
    const tower = await towerAlone(embedder, images.length * viewsPerImage);
    if (tower.wall < alone.wall) alone = tower;
  }
  const n = images.length;
  return [
    label,
    (wall / n).toFixed(2),
    (cpuMs / n).toFixed(2),
    (alone.wall / n).toFixed(2),
    (alone.cpu / n).toFixed(2),
    `${(100 * (1 - alone.wall / wall)).toFixed(0)} %`,
    (alone.wall / wall).toFixed(2),
    (alone.cpu / cpuMs).toFixed(2),
  ];
}

/** The whole phase (runEmbeddings: batches pipelined, checkpoint, outputs) on the small crops and the photos. */
async function phaseRow(): Promise<string[]> {
  const copies = 4;
  const run = await timePhase3(manifestPath, small, large, texts, copies);
  const alone = await towerAlone(embedder, copies * (small.length + 10 * large.length));
  const n = run.crops;
  return [
    `phase 3 run, ${copies} × (${small.length} crops + ${large.length} photos)`,
    (run.wall / n).toFixed(2),
    (run.cpu / n).toFixed(2),
    (alone.wall / n).toFixed(2),
    (alone.cpu / n).toFixed(2),
    `${(100 * (1 - alone.wall / run.wall)).toFixed(0)} %`,
    (alone.wall / run.wall).toFixed(2),
    (alone.cpu / run.cpu).toFixed(2),
  ];
}

const floorRows = [
  await floorRow('crops ≤ input (1 view)', small, false, 1),
  await floorRow('512² photos, multi-patch (10 views)', large, true, 10),
  await phaseRow(),
];
const floorHeader = ['image-only', 'wall ms/crop', 'CPU ms/crop', 'tower alone wall', 'tower alone CPU', 'outside model', 'floor ratio', 'CPU floor ratio'];
const floorWidths = floorHeader.map((h, i) => Math.max(h.length, ...floorRows.map((r) => r[i]!.length)));
console.log(`\n${floorHeader.map((h, i) => h.padEnd(floorWidths[i]!)).join('  ')}`);
for (const r of floorRows) console.log(r.map((c, i) => c.padEnd(floorWidths[i]!)).join('  '));

const flops = await towerFlops(embedder);
const gflops = await matmulGflops();
const achieved = (flops * imageOnly) / 1e9;
console.log(`\nimage tower: ${(flops / 1e9).toFixed(3)} GFLOPs per view (Conv/MatMul/Gemm)`);
console.log(`achieved in the tower (incl. decode + resize): ${achieved.toFixed(1)} GFLOP/s; plain 1024² MatMul in onnxruntime: ${gflops.toFixed(1)} GFLOP/s (${((100 * achieved) / gflops).toFixed(0)} %)`);
console.log(await samePartRetrieval(embedder));
await embedder.dispose();
