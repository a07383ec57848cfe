/**
 * CPU time of the calling thread (ms), where the system tells it (Linux: utime and
 * stime of /proc/thread-self/stat, in clock ticks of 10 ms); null elsewhere. Phase
 * timings on a shared machine mix in other processes' load; CPU time does not.
 */
import fs from 'node:fs';

const TICK_MS = 10;
let unavailable = process.platform !== 'linux';

export function threadCpuMs(): number | null {
  if (unavailable) return null;
  try {
    const stat = fs.readFileSync('/proc/thread-self/stat', 'latin1');
    // Fields after the command name (which is in parentheses and may hold spaces).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('unexpected /proc format');
    return (utime + stime) * TICK_MS;
  } catch {
    unavailable = true;
    return null;
  }
}
