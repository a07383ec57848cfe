/**
 * Binary answers that do not fit JSON-RPC: photos by id and the map's point
 * buffer. Both hosts route their requests here (the server under /image and /data,
 * Electron through its protocols), so the checks are written once.
 */
import fs from 'node:fs';
import { ImageFilter } from '../../shared/rpc/browse-methods.js';
import { ErrorCode, RpcError } from '../../shared/rpc/errors.js';
import { cachedImage, isImageSize } from './images/thumbnails.js';
import type { ProjectService } from './project/project-service.js';
import { describeIssues } from './rpc/dispatcher.js';

export interface DataResponse {
  status: number;
  contentType: string;
  body: Buffer;
}

const text = (status: number, message: string): DataResponse => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body: Buffer.from(`${message}\n`),
});

/** `/image/<id>?size=thumb|large` */
export async function answerImage(projects: ProjectService, idText: string, sizeText: string | null): Promise<DataResponse> {
  if (!/^[1-9][0-9]{0,15}$/.test(idText)) return text(400, 'an image id is a positive integer');
  const size = sizeText ?? 'thumb';
  if (!isImageSize(size)) return text(400, 'size is thumb or large');
  try {
    const store = projects.requireStore();
    const file = await cachedImage(store.db, store.cacheDir, Number(idText), size);
    return { status: 200, contentType: 'image/webp', body: fs.readFileSync(file) };
  } catch (err) {
    return errorResponse(err);
  }
}

/** `/data/points?filter=<json ImageFilter>` */
export function answerPoints(projects: ProjectService, filterText: string | null): DataResponse {
  let raw: unknown;
  try {
    raw = JSON.parse(filterText ?? '');
  } catch {
    return text(400, 'filter must be JSON');
  }
  const filter = ImageFilter.safeParse(raw);
  if (!filter.success) return text(400, `filter: ${describeIssues(filter.error)}`);
  try {
    return { status: 200, contentType: 'application/octet-stream', body: projects.queries().points(filter.data) };
  } catch (err) {
    return errorResponse(err);
  }
}

function errorResponse(err: unknown): DataResponse {
  if (err instanceof RpcError) {
    const status = err.code === ErrorCode.NotFound || err.code === ErrorCode.NoProjectOpen ? 404 : 422;
    return text(status, err.message);
  }
  return text(500, err instanceof Error ? err.message : String(err));
}
