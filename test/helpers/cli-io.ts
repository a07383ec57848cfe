/** The CLI's input and output held in memory, for tests that run a command in-process. */
import type { CliIo } from '../../electron/cli/command.js';

/** An io that runs in `cwd` with `env` and keeps what the command wrote to stdout and stderr. */
export function captureIo(cwd: string, env: NodeJS.ProcessEnv = process.env): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    cwd,
    env,
    stdout: (t: string) => (io.out += t),
    stderr: (t: string) => (io.err += t),
  };
  return io;
}
