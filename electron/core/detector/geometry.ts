import type { BBox } from '../dataset/model';

export interface Letterbox {
  /** Scale from source pixels to model pixels. */
  ratio: number;
  /** Offset of the resized image inside the model input. */
  dx: number;
  dy: number;
  /** Size of the resized image inside the model input. */
  width: number;
  height: number;
}

/** Fits a source image into the model input keeping its aspect ratio, at the top-left or centred. */
export function letterbox(
  source: { width: number; height: number },
  input: { width: number; height: number },
  placement: 'top-left' | 'center',
): Letterbox {
  const ratio = Math.min(input.width / source.width, input.height / source.height);
  const width = Math.max(1, Math.round(source.width * ratio));
  const height = Math.max(1, Math.round(source.height * ratio));
  const dx = placement === 'center' ? Math.floor((input.width - width) / 2) : 0;
  const dy = placement === 'center' ? Math.floor((input.height - height) / 2) : 0;
  return { ratio, dx, dy, width, height };
}

export function toSource(box: BBox, lb: Letterbox): BBox {
  return { x: (box.x - lb.dx) / lb.ratio, y: (box.y - lb.dy) / lb.ratio, width: box.width / lb.ratio, height: box.height / lb.ratio };
}

export function toModel(box: BBox, lb: Letterbox): BBox {
  return { x: box.x * lb.ratio + lb.dx, y: box.y * lb.ratio + lb.dy, width: box.width * lb.ratio, height: box.height * lb.ratio };
}

export function area(box: BBox): number {
  return Math.max(0, box.width) * Math.max(0, box.height);
}

export function iou(a: BBox, b: BBox): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (area(a) + area(b) - inter);
}

/** Grows a box by `margin` of its size on every side and clamps it to the image, in whole pixels. */
export function expandAndClamp(box: BBox, margin: number, image: { width: number; height: number }): BBox {
  const x0 = Math.max(0, Math.floor(box.x - box.width * margin));
  const y0 = Math.max(0, Math.floor(box.y - box.height * margin));
  const x1 = Math.min(image.width, Math.ceil(box.x + box.width * (1 + margin)));
  const y1 = Math.min(image.height, Math.ceil(box.y + box.height * (1 + margin)));
  return { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) };
}
