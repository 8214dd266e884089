import { describe, expect, it } from 'vitest';
import { decodeYolov8, decodeYolox, nms } from './decode';
import { expandAndClamp, iou, letterbox, toModel, toSource } from './geometry';

describe('letterbox', () => {
  it('maps boxes to the model input and back exactly, top-left and centred', () => {
    const box = { x: 120, y: 45, width: 300, height: 210 };
    for (const placement of ['top-left', 'center'] as const) {
      const lb = letterbox({ width: 1024, height: 768 }, { width: 416, height: 416 }, placement);
      expect(lb.ratio).toBeCloseTo(416 / 1024);
      expect([lb.width, lb.height]).toEqual([416, 312]);
      expect(lb.dy).toBe(placement === 'center' ? 52 : 0);
      const back = toSource(toModel(box, lb), lb);
      for (const key of ['x', 'y', 'width', 'height'] as const) expect(back[key]).toBeCloseTo(box[key], 9);
    }
  });
});

describe('decodeYolox', () => {
  const input = { width: 64, height: 64 };
  const strides = [8, 16, 32];
  const anchors = 8 * 8 + 4 * 4 + 2 * 2;
  const classes = 3;

  it('decodes grid cell, stride, exp sizes and obj × class scores', () => {
    const output = new Float32Array(anchors * (5 + classes));
    // Stride-16 grid is 4×4 and starts after the 64 stride-8 cells; cell (gx 2, gy 1) is anchor 64 + 1*4 + 2.
    const anchor = 64 + 4 + 2;
    output.set([0.5, 0.25, Math.log(2), Math.log(3), 0.9, 0.1, 0.8, 0.05], anchor * 8);
    const [detection, ...rest] = decodeYolox(output, input, strides, classes, 0.3);
    expect(rest).toEqual([]);
    expect(detection!.classId).toBe(1);
    expect(detection!.score).toBeCloseTo(0.72);
    // cx = (0.5 + 2) * 16 = 40, cy = (0.25 + 1) * 16 = 20, w = 2 * 16, h = 3 * 16.
    expect(detection!.box.x).toBeCloseTo(40 - 16);
    expect(detection!.box.y).toBeCloseTo(20 - 24);
    expect(detection!.box.width).toBeCloseTo(32);
    expect(detection!.box.height).toBeCloseTo(48);
  });

  it('drops anchors below the threshold and refuses an output that does not fit the grids', () => {
    const output = new Float32Array(anchors * 8);
    output.set([0, 0, 0, 0, 0.5, 0.5, 0, 0], 0);
    expect(decodeYolox(output, input, strides, classes, 0.3)).toEqual([]);
    expect(() => decodeYolox(new Float32Array((anchors - 1) * 8), input, strides, classes, 0.3)).toThrow(/anchors/);
  });
});

describe('decodeYolov8', () => {
  it('reads the channel-major 1×(4+C)×N layout', () => {
    const anchors = 3;
    const classes = 2;
    const output = new Float32Array((4 + classes) * anchors);
    const set = (channel: number, anchor: number, value: number) => (output[channel * anchors + anchor] = value);
    set(0, 1, 100); set(1, 1, 50); set(2, 1, 40); set(3, 1, 20); set(4, 1, 0.1); set(5, 1, 0.85);
    set(4, 2, 0.2);
    const detections = decodeYolov8(output, classes, 0.25);
    expect(detections).toEqual([{ box: { x: 80, y: 40, width: 40, height: 20 }, score: expect.closeTo(0.85, 6), classId: 1 }]);
  });
});

describe('nms', () => {
  it('keeps the best of overlapping boxes of one class, and overlapping boxes of different classes', () => {
    const a = { box: { x: 0, y: 0, width: 100, height: 100 }, score: 0.9, classId: 2 };
    const b = { box: { x: 5, y: 5, width: 100, height: 100 }, score: 0.8, classId: 2 };
    const c = { box: { x: 5, y: 5, width: 100, height: 100 }, score: 0.7, classId: 7 };
    const d = { box: { x: 300, y: 300, width: 50, height: 50 }, score: 0.6, classId: 2 };
    expect(nms([d, b, c, a], 0.45)).toEqual([a, c, d]);
    expect(iou(a.box, b.box)).toBeGreaterThan(0.45);
  });
});

describe('expandAndClamp', () => {
  it('adds the margin on every side and stays inside the photo', () => {
    expect(expandAndClamp({ x: 100, y: 100, width: 200, height: 100 }, 0.1, { width: 1000, height: 1000 })).toEqual({ x: 80, y: 90, width: 240, height: 120 });
    expect(expandAndClamp({ x: 5, y: 5, width: 200, height: 100 }, 0.1, { width: 210, height: 110 })).toEqual({ x: 0, y: 0, width: 210, height: 110 });
  });
});
