/**
 * Thumbnails and display-size copies, made once with sharp and cached in the
 * project's cache folder. A file sharp cannot read marks its photo unreadable
 * (images.photo = 2) instead of failing anything else.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type Database from 'better-sqlite3';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { resolveImageFile } from './image-path.js';

export type ImageSize = 'thumb' | 'large';

const sizes: Record<ImageSize, { width: number; height: number; fit: 'cover' | 'inside'; quality: number }> = {
  thumb: { width: 256, height: 256, fit: 'cover', quality: 72 },
  large: { width: 1600, height: 1600, fit: 'inside', quality: 85 },
};

export function isImageSize(value: unknown): value is ImageSize {
  return value === 'thumb' || value === 'large';
}

/** Makes (or reuses) the cached WebP of one photo at one size and returns its path. */
export async function cachedImage(db: Database.Database, cacheDir: string, imageId: number, size: ImageSize): Promise<string> {
  const source = resolveImageFile(db, imageId);
  // The key names the file itself (path, size, mtime), so a moved image folder, an
  // edited photo or a reused row id never shows a stale copy. Sharded by id so no
  // folder grows to millions of entries.
  const stat = fs.statSync(source);
  const key = createHash('sha1').update(`${source}\0${stat.size}\0${stat.mtimeMs}`).digest('hex').slice(0, 16);
  const target = path.join(cacheDir, 'images', size, String(imageId % 1000).padStart(3, '0'), `${imageId}-${key}.webp`);
  if (fs.existsSync(target)) return target;
  const spec = sizes[size];
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
  try {
    await sharp(source, { failOn: 'error' })
      .rotate() // honour EXIF orientation
      .resize(spec.width, spec.height, { fit: spec.fit, withoutEnlargement: true })
      .webp({ quality: spec.quality })
      .toFile(tmp);
    fs.renameSync(tmp, target);
    return target;
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    db.prepare('UPDATE images SET photo = 2 WHERE id = ?').run(imageId);
    throw new RpcError(ErrorCode.BadInput, `photo ${imageId}: unreadable image (${(err as Error).message})`);
  }
}
