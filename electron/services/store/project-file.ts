/**
 * What a project is on disk: one `<name>.georeason.sqlite` file and a cache folder
 * beside it. These helpers hold the naming rules and the identity check, so a file
 * that is not ours is refused before anything writes to it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { nonRegularKind } from './file-kind.js';

export const projectExtension = '.georeason.sqlite';
/** `PRAGMA application_id` of every project file: "GeoR" in ASCII. */
export const applicationId = 0x47656f52;
const sqliteHeader = Buffer.from('SQLite format 3\0', 'latin1');

export function projectName(filePath: string): string {
  const base = path.basename(filePath);
  return base.endsWith(projectExtension) ? base.slice(0, -projectExtension.length) : base;
}

export function cacheDirFor(filePath: string): string {
  const dir = path.dirname(filePath);
  return path.join(dir, `${projectName(filePath)}.georeason-cache`);
}

/** Adds the extension when a person typed a bare name. */
export function normaliseProjectPath(input: string): string {
  const resolved = path.resolve(input);
  return resolved.endsWith(projectExtension) ? resolved : `${resolved}${projectExtension}`;
}

export interface ProjectFileIdentity {
  schemaVersion: number;
}

/**
 * Reads a file's identity without writing to it, from the 100-byte SQLite header:
 * the magic string, `user_version` (offset 60) and `application_id` (offset 68).
 * No SQLite connection is opened here: a read-only connection to a WAL database
 * needs its -shm file and fails in odd ways when it is missing. ProjectStore.open
 * checks the same values again through its connection, which also sees the WAL.
 */
export function readProjectIdentity(filePath: string): ProjectFileIdentity {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, and
    // with it the whole process. The descriptor is checked before anything is read.
    fd = fs.openSync(filePath, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new RpcError(ErrorCode.NotFound, `${filePath}: no such file`);
    const why = code === 'ELOOP' ? 'ELOOP: a loop of symbolic links' : (code ?? String(err));
    throw new RpcError(ErrorCode.NotAProject, `${filePath}: cannot be read (${why})`);
  }
  const header = Buffer.alloc(100);
  let read: number;
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) {
      throw new RpcError(ErrorCode.NotAProject, `${filePath}: not a GeoReason project (${nonRegularKind(stat, 'a special file')}, not a regular file)`);
    }
    read = fs.readSync(fd, header, 0, header.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (read < header.length || !header.subarray(0, sqliteHeader.length).equals(sqliteHeader)) {
    throw new RpcError(ErrorCode.NotAProject, `${filePath}: not a GeoReason project (not an SQLite database)`);
  }
  // SQLite opens these beside the project; a FIFO there would block it just the same.
  for (const suffix of ['-wal', '-shm', '-journal']) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(filePath + suffix, { throwIfNoEntry: false });
    } catch {
      stat = undefined;
    }
    if (stat !== undefined && !stat.isFile()) {
      throw new RpcError(ErrorCode.NotAProject, `${filePath}${suffix}: ${nonRegularKind(stat, 'a special file')} where SQLite keeps the project's ${suffix.slice(1)} file`);
    }
  }
  return identityFrom(filePath, header.readInt32BE(68), header.readInt32BE(60));
}


/** Checks an application id and schema version, whoever read them. */
export function identityFrom(filePath: string, appId: number, schemaVersion: number): ProjectFileIdentity {
  if (appId !== applicationId) {
    throw new RpcError(ErrorCode.NotAProject, `${filePath}: not a GeoReason project (an SQLite database of another application)`);
  }
  return { schemaVersion };
}
