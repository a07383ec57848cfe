/**
 * Resolves a URL path to a file of the built renderer, refusing anything that
 * would leave its folder. Used by both the app protocol and the HTTP server.
 */
import fs from 'node:fs';
import path from 'node:path';
import { contentTypes } from './security.js';

export interface StaticFile {
  filePath: string;
  contentType: string;
}

export function resolveStaticFile(rootDir: string, urlPath: string): StaticFile | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const relative = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const root = path.resolve(rootDir);
  const filePath = path.resolve(root, relative);
  if (filePath !== root && !filePath.startsWith(root + path.sep)) return null;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(filePath);
  } catch {
    return null;
  }
  if (!stat.isFile()) return null;
  const contentType = contentTypes[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
  return { filePath, contentType };
}
