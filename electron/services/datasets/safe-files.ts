/**
 * Reading files a person named, without ever hanging: only regular files are read,
 * opened with O_NONBLOCK (opening a FIFO for reading otherwise waits for a writer
 * forever) and checked on the opened descriptor, so nothing swapped in after a check
 * is read either. Reads stop at the size the file had when opened: a device such as
 * /dev/zero, or a pseudo file of /proc or /sys that reports size 0 and reads on
 * without end, is refused instead of read forever.
 */
import fs from 'node:fs';
import { ErrorCode, RpcError } from '../../../shared/rpc/errors.js';
import { nonRegularKind } from '../store/file-kind.js';

/** Filesystems whose files are made up by the kernel as they are read (statfs f_type). */
const PSEUDO_FILESYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0xcafe4a11, 'bpf'],
  [0x6165676c, 'pstore'],
  [0x62656570, 'configfs'],
  [0x1cd1, 'devpts'],
]);

/** The name of the pseudo filesystem `p` lies on (proc, sysfs, ...), or null for a real one. */
export function pseudoFilesystem(p: string): string | null {
  if (process.platform !== 'linux') return null;
  try {
    return PSEUDO_FILESYSTEMS.get(Number(fs.statfsSync(p).type)) ?? null;
  } catch {
    return null;
  }
}

/** What a non-regular file is, for messages: "a FIFO", "a character device", ... */
export function kindOf(stat: fs.Stats): string {
  return nonRegularKind(stat, 'not a regular file');
}

/** A filesystem error as a person reads it, e.g. "ELOOP: a loop of symbolic links". */
export function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return 'ELOOP: a loop of symbolic links';
  if (code === 'EACCES' || code === 'EPERM') return `${code}: permission denied`;
  if (code === 'ENOTDIR') return 'ENOTDIR: a part of the path is not a folder';
  return code ?? (err instanceof Error ? err.message : String(err));
}

const nonBlocking = fs.constants.O_NONBLOCK ?? 0;

export interface OpenedFile {
  fd: number;
  /** The size when opened; reads stop there. */
  size: number;
}

/**
 * Opens `file` for reading if it is a regular, non-empty file on a real filesystem;
 * otherwise throws a BadInput (NotFound when missing) that names the file and why.
 */
export function openRegularFile(file: string): OpenedFile {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | nonBlocking);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RpcError(ErrorCode.NotFound, `${file}: no such file`);
    throw new RpcError(ErrorCode.BadInput, `${file}: cannot be read (${describeFsError(err)})`);
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new RpcError(ErrorCode.BadInput, `${file}: ${kindOf(stat)}, not a regular file`);
    const pseudo = pseudoFilesystem(file);
    if (pseudo !== null) throw new RpcError(ErrorCode.BadInput, `${file}: a file of the ${pseudo} pseudo-filesystem, not a data file`);
    if (stat.size === 0) throw new RpcError(ErrorCode.BadInput, `${file}: empty file`);
    return { fd, size: stat.size };
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

/** A stream of at most `limit` bytes (default: the whole file as it was when opened). */
export function readStreamOf(file: string, options: { limit?: number; highWaterMark?: number } = {}): fs.ReadStream {
  const { fd, size } = openRegularFile(file);
  const end = Math.min(size, options.limit ?? size) - 1;
  return fs.createReadStream(file, { fd, start: 0, end, highWaterMark: options.highWaterMark ?? 64 * 1024 });
}

/** The first `bytes` bytes (fewer when the file is shorter). */
export function readHead(file: string, bytes: number): Buffer {
  const { fd, size } = openRegularFile(file);
  try {
    const buf = Buffer.alloc(Math.min(bytes, size));
    let got = 0;
    while (got < buf.length) {
      const n = fs.readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } finally {
    fs.closeSync(fd);
  }
}

/** The whole file as text, up to the size it had when opened. */
export function readWhole(file: string): string {
  return readHead(file, Number.MAX_SAFE_INTEGER).toString('utf8');
}
