/**
 * A folder of photos, recursively: the point is each photo's EXIF GPS (exifr reads
 * only the segments it needs). Photos without GPS are counted, not imported; files
 * that cannot be read at all are counted and named in the warnings. Nothing here
 * decodes pixels: a corrupt photo is found later by the thumbnailer (photo = 2).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import exifr from 'exifr';
import { checkDegrees } from './fields.js';
import type { ReadContext } from './read-context.js';
import { describeFsError, kindOf } from './safe-files.js';

export const PHOTO_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.tif', '.tiff', '.png', '.heic', '.heif', '.avif', '.webp']);
/** Files read at once: exifr waits on small reads, so a few in flight hide the latency. */
const IN_FLIGHT = 8;
/** Unreadable files named in the warnings; the rest are counted. */
const NAMED = 5;

export function isPhotoName(name: string): boolean {
  return PHOTO_EXTENSIONS.has(path.extname(name).toLowerCase());
}

export type GpsRead = { lat: number; lon: number } | { noGps: true } | { error: string };

/** readGps, for a file that must lie (links followed) under `realRoot`. */
export async function readGpsInside(realRoot: string, file: string): Promise<GpsRead> {
  let real: string;
  try {
    real = await fs.realpath(file);
  } catch (err) {
    return { error: describeFsError(err) };
  }
  if (!real.startsWith(realRoot + path.sep)) return { error: 'a link to a file outside the folder' };
  return readGps(real);
}

/** What exifr keeps of an opened file: its reader, whose handle we must close. */
interface OpenedExifr {
  file?: { close?: () => Promise<void> | void };
}

/**
 * The GPS point of one photo. exifr.gps() leaves its file handle open when parsing
 * throws (a damaged photo), to be closed only by the garbage collector: in a folder of
 * many damaged photos that runs out of file descriptors. So the read is done with an
 * Exifr instance whose reader is closed here whatever happens; empty files never
 * reach exifr (it fails on them before it has a reader to close).
 */
export async function readGps(file: string): Promise<GpsRead> {
  const exr = new exifr.Exifr((exifr as unknown as { gpsOnlyOptions: object }).gpsOnlyOptions);
  try {
    // Only regular files with content: a FIFO would block the read, a device or an
    // empty pseudo file (size 0) could read on forever.
    const stat = await fs.stat(file);
    if (!stat.isFile()) return { error: `${kindOf(stat)}, not a photo file` };
    if (stat.size === 0) return { error: 'empty file' };
    await exr.read(file);
    const output = (await exr.parse()) as { gps?: { latitude?: unknown; longitude?: unknown } } | undefined;
    const gps = output?.gps;
    if (!gps || typeof gps.latitude !== 'number' || typeof gps.longitude !== 'number') return { noGps: true };
    const lat = checkDegrees(gps.latitude, 'lat');
    const lon = checkDegrees(gps.longitude, 'lon');
    if (typeof lat === 'string' || typeof lon === 'string') return { error: `bad GPS (${typeof lat === 'string' ? lat : lon})` };
    return { lat, lon };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  } finally {
    try {
      await (exr as unknown as OpenedExifr).file?.close?.();
    } catch {
      // already closed by exifr
    }
  }
}

export interface FolderCounts {
  noGps: number;
  unreadable: number;
  otherFiles: number;
}

/** `files`: every file under `root` (relative, sorted), as listed by photo-index. */
export async function readExifFolder(root: string, files: string[], ctx: ReadContext): Promise<FolderCounts> {
  const counts: FolderCounts = { noGps: 0, unreadable: 0, otherFiles: 0 };
  const realRoot = await fs.realpath(root);
  const photos = files.filter(isPhotoName);
  counts.otherFiles = files.length - photos.length;
  for (let i = 0; i < photos.length; i += IN_FLIGHT) {
    ctx.tick(ctx.writer.rows, i / photos.length, `${i} of ${photos.length} photos read`);
    const batch = photos.slice(i, i + IN_FLIGHT);
    const reads = await Promise.all(batch.map((rel) => readGpsInside(realRoot, path.join(root, rel))));
    for (const [k, r] of reads.entries()) {
      const rel = batch[k] as string;
      if ('error' in r) {
        counts.unreadable++;
        if (counts.unreadable <= NAMED) ctx.warn(`${rel}: unreadable (${r.error})`);
      } else if ('noGps' in r) {
        counts.noGps++;
      } else {
        const wait = ctx.writer.add(null, rel, r.lat, r.lon, null, null, null);
        if (wait !== null) await wait;
      }
    }
  }
  if (counts.unreadable > NAMED) ctx.warn(`… and ${counts.unreadable - NAMED} more unreadable files`);
  return counts;
}
