/** Field checks shared by the readers: coordinates and image paths. */

/** A latitude or longitude from text, or the reason it is not one. */
export function parseDegrees(text: string | undefined, axis: 'lat' | 'lon'): number | string {
  if (text === undefined) return `missing ${axis === 'lat' ? 'latitude' : 'longitude'} column`;
  const t = text.trim();
  // Number('') is 0 and Number('0x10') is 16: accept plain decimal notation only.
  if (t === '' || !/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(t)) {
    return `${axis === 'lat' ? 'latitude' : 'longitude'} '${t}' is not a number`;
  }
  return checkDegrees(Number(t), axis);
}

export function checkDegrees(value: number, axis: 'lat' | 'lon'): number | string {
  const limit = axis === 'lat' ? 90 : 180;
  if (!Number.isFinite(value)) return `${axis === 'lat' ? 'latitude' : 'longitude'} is not a number`;
  if (value < -limit || value > limit) {
    return `${axis === 'lat' ? 'latitude' : 'longitude'} ${value} is out of range (±${limit})`;
  }
  return value;
}

/**
 * An image path as stored in `images.rel_path`: forward slashes, no leading `./`.
 * Returns the reason when the path could leave the image folder (absolute, `..`).
 */
export function normaliseRelPath(text: string): { path: string } | { reason: string } {
  let p = text.trim();
  if (p === '') return { reason: 'empty image id' };
  if (p.includes('\\')) p = p.replace(/\\/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  if (p.startsWith('/') || /^[a-zA-Z]:\//.test(p)) return { reason: `image path '${text}' is absolute` };
  if (p === '..' || p.startsWith('../') || p.includes('/../') || p.endsWith('/..')) {
    return { reason: `image path '${text}' leaves the image folder` };
  }
  return { path: p };
}
