/**
 * Server hosts that a crash test starts on one project and kills with SIGKILL, the way
 * a power cut or the OOM killer ends them: no shutdown code runs.
 */
import path from 'node:path';
import { connectRpc, type RpcClient } from './rpc-client.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

/** Every server started here, so `killStartedServers` can end those still running. */
const started: ServerProcess[] = [];

/** Starts the server host on `project` (user data under `dir`/user) and connects to it. */
export async function startOnProject(project: string, dir: string): Promise<{ server: ServerProcess; rpc: RpcClient }> {
  const server = await startServerProcess(['--port', '0', '--project', project, '--data-dir', path.join(dir, 'user')]);
  started.push(server);
  return { server, rpc: await connectRpc(server) };
}

/** Kills the server with SIGKILL; resolves once it has exited. */
export function sigkill(server: ServerProcess): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null || server.child.signalCode !== null) return resolve();
    server.child.once('exit', () => resolve());
    server.child.kill('SIGKILL');
  });
}

/** For afterAll: kills every server started here that still runs, whatever the tests did. */
export function killStartedServers(): void {
  for (const server of started) if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
}
