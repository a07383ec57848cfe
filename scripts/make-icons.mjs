#!/usr/bin/env node
/**
 * Renders the app icon (resources/icon.svg) into the PNGs electron-builder needs, under
 * resources/build (its buildResources folder): icon.png at 1024×1024 for macOS (icns is
 * made from it) and Windows (ico), 512×512 and the usual sizes under icons/ for Linux.
 * The outputs are committed; run `node scripts/make-icons.mjs` after changing the SVG.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const svg = fs.readFileSync(path.join(root, 'resources', 'icon.svg'));
const out = path.join(root, 'resources', 'build');
fs.mkdirSync(path.join(out, 'icons'), { recursive: true });

/** The SVG is 64 units wide: render at the target size's density, not by scaling a bitmap. */
async function render(size, file) {
  await sharp(svg, { density: Math.ceil((72 * size) / 64) })
    .resize(size, size)
    .png({ compressionLevel: 9 })
    .toFile(file);
  console.log(`${path.relative(root, file)} ${size}×${size}`);
}

await render(1024, path.join(out, 'icon.png'));
for (const size of [16, 32, 48, 64, 128, 256, 512]) await render(size, path.join(out, 'icons', `${size}x${size}.png`));
