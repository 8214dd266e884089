/**
 * Renders the app icon from icon.svg: icon.png (512 px, what electron-builder turns into the macOS .icns, the
 * Windows .ico and the Linux icon set) and icon-256.png (the window icon). Run with `npm run icon` after
 * editing the SVG; the PNGs are committed, so packaging needs no renderer.
 */
import { join } from 'node:path';
import sharp from 'sharp';

const here = import.meta.dirname;
const svg = join(here, 'icon.svg');
for (const [name, size] of [['icon.png', 512], ['icon-256.png', 256]]) {
  // density: rasterise the 512-unit SVG at the target size directly rather than scaling a bitmap.
  await sharp(svg, { density: (72 * size) / 512 }).resize(size, size).png({ compressionLevel: 9 }).toFile(join(here, name));
}
