/**
 * One job's child process: spawns it, reads its JSON-lines events, keeps every other
 * line of stdout/stderr as log text (in the job's log file and the last few in memory),
 * and stops it on request: SIGTERM, then SIGKILL when it has not exited after the
 * grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { LineSplitter, parseEventLine, type TrainerEvent } from './protocol.js';

export interface JobProcessOptions {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  logPath: string;
  onEvent: (event: TrainerEvent) => void;
  onLogLine: (line: string) => void;
}

export interface JobExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The `done` event, when the process sent one. */
  done: Extract<TrainerEvent, { event: 'done' }> | null;
  /** Set when the process could not start at all. */
  spawnError: string | null;
  lastLines: string[];
}

const KEPT_LINES = 30;

export class JobProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<JobExit>;
  private readonly lastLines: string[] = [];
  private killTimer: NodeJS.Timeout | null = null;
  private readonly log: fs.WriteStream;

  constructor(private readonly options: JobProcessOptions) {
    this.log = fs.createWriteStream(options.logPath, { flags: 'a' });
    this.log.write(`--- ${new Date().toISOString()} ${options.command} ${options.args.join(' ')}\n`);
    this.child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let done: JobExit['done'] = null;
    let spawnError: string | null = null;
    const out = new LineSplitter();
    const err = new LineSplitter();
    const onOut = (line: string): void => {
      const ev = parseEventLine(line);
      if (ev === null) {
        this.text(line);
        return;
      }
      if (ev.event === 'done') done = ev;
      if (ev.event === 'log') this.text(`[${ev.level}] ${ev.message}`);
      if (ev.event === 'done') this.text(`[done] ${ev.status}: ${ev.message}`);
      options.onEvent(ev);
    };
    this.child.stdout?.setEncoding('utf8');
    this.child.stderr?.setEncoding('utf8');
    this.child.stdout?.on('data', (c: string) => out.push(c, onOut));
    this.child.stderr?.on('data', (c: string) => err.push(c, (l) => this.text(l)));
    this.exited = new Promise<JobExit>((resolve) => {
      this.child.on('error', (e) => {
        spawnError = `${options.command}: ${e.message}`;
        this.text(spawnError);
      });
      this.child.on('close', (code, signal) => {
        out.flush(onOut);
        err.flush((l) => this.text(l));
        if (this.killTimer) clearTimeout(this.killTimer);
        this.log.write(`--- exit ${code ?? 'null'}${signal ? ` (${signal})` : ''}\n`);
        this.log.end(() => resolve({ code, signal, done, spawnError, lastLines: [...this.lastLines] }));
      });
    });
  }

  get pid(): number | null {
    return this.child.pid ?? null;
  }

  private text(line: string): void {
    if (line.length === 0) return;
    this.log.write(`${line}\n`);
    this.lastLines.push(line);
    if (this.lastLines.length > KEPT_LINES) this.lastLines.shift();
    this.options.onLogLine(line);
  }

  /** SIGTERM now; SIGKILL after `graceMs` if it is still running. */
  stop(graceMs: number): void {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    if (!this.killTimer) {
      this.killTimer = setTimeout(() => {
        if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
      }, graceMs);
    }
  }
}

/** True when a process with this pid exists (any owner). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
