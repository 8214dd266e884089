import type { BBox } from '../dataset/model';
import { iou } from './geometry';

/** A detection in model-input pixels (before the letterbox is undone). */
export interface RawDetection {
  box: BBox;
  score: number;
  classId: number;
}

/**
 * YOLOX head output [A, 5 + C] (cx, cy, w, h raw; objectness; class scores, already sigmoid in the export):
 * anchors are the cells of one grid per stride, in order; xy = (raw + cell) × stride, wh = exp(raw) × stride.
 */
export function decodeYolox(
  output: Float32Array,
  input: { width: number; height: number },
  strides: number[],
  numClasses: number,
  scoreThreshold: number,
): RawDetection[] {
  const stride = 5 + numClasses;
  const detections: RawDetection[] = [];
  let anchor = 0;
  for (const s of strides) {
    const gw = Math.floor(input.width / s);
    const gh = Math.floor(input.height / s);
    for (let gy = 0; gy < gh; gy++) {
      for (let gx = 0; gx < gw; gx++, anchor++) {
        const o = anchor * stride;
        if (o + stride > output.length) throw new Error(`YOLOX output has ${output.length / stride} anchors, fewer than its grids need`);
        const objectness = output[o + 4]!;
        if (objectness < scoreThreshold) continue;
        let best = 0;
        for (let c = 1; c < numClasses; c++) if (output[o + 5 + c]! > output[o + 5 + best]!) best = c;
        const score = objectness * output[o + 5 + best]!;
        if (score < scoreThreshold) continue;
        const cx = (output[o]! + gx) * s;
        const cy = (output[o + 1]! + gy) * s;
        const w = Math.exp(output[o + 2]!) * s;
        const h = Math.exp(output[o + 3]!) * s;
        detections.push({ box: { x: cx - w / 2, y: cy - h / 2, width: w, height: h }, score, classId: best });
      }
    }
  }
  if (anchor * stride !== output.length) throw new Error(`YOLOX output has ${output.length / stride} anchors, its grids make ${anchor}`);
  return detections;
}

/** YOLOv8 output [4 + C, A] (channel-major): cx, cy, w, h in input pixels, then class scores; no objectness. */
export function decodeYolov8(output: Float32Array, numClasses: number, scoreThreshold: number): RawDetection[] {
  const channels = 4 + numClasses;
  if (output.length % channels !== 0) throw new Error(`YOLOv8 output of ${output.length} values is not ${channels} × anchors`);
  const anchors = output.length / channels;
  const detections: RawDetection[] = [];
  for (let a = 0; a < anchors; a++) {
    let best = 0;
    for (let c = 1; c < numClasses; c++) if (output[(4 + c) * anchors + a]! > output[(4 + best) * anchors + a]!) best = c;
    const score = output[(4 + best) * anchors + a]!;
    if (score < scoreThreshold) continue;
    const cx = output[a]!;
    const cy = output[anchors + a]!;
    const w = output[2 * anchors + a]!;
    const h = output[3 * anchors + a]!;
    detections.push({ box: { x: cx - w / 2, y: cy - h / 2, width: w, height: h }, score, classId: best });
  }
  return detections;
}

/** Greedy non-maximum suppression per class: keeps the best box and drops same-class boxes overlapping it. */
export function nms<T extends RawDetection>(detections: T[], iouThreshold: number): T[] {
  const sorted = [...detections].sort((a, b) => b.score - a.score);
  const kept: T[] = [];
  for (const candidate of sorted) {
    if (kept.every((k) => k.classId !== candidate.classId || iou(k.box, candidate.box) <= iouThreshold)) kept.push(candidate);
  }
  return kept;
}
