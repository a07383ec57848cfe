/**
 * An sshd on loopback for tests (Debian's openssh-server, started as root): its own
 * host key, one client key allowed to log in as root, and environment variables every
 * session gets (sshd's SetEnv), e.g. the SLURM_CONF of a test cluster.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, waitForPort } from './ports.js';

/** Why an sshd cannot start here, or null. */
export function sshdMissing(): string | null {
  if (!fs.existsSync('/usr/sbin/sshd')) return '/usr/sbin/sshd is not installed (apt-get install openssh-server)';
  for (const bin of ['ssh', 'ssh-keygen', 'rsync', 'scp']) {
    if (spawnSync('bash', ['-c', `command -v ${bin}`]).status !== 0) return `${bin} is not installed`;
  }
  if (process.getuid?.() !== 0) return 'sshd for the test must start as root';
  return null;
}

export interface LoopbackSshd {
  port: number;
  /** The client's private key. */
  key: string;
  /** ssh options that trust the throw-away host key. */
  sshOptions: string[];
  stop(): void;
}

/** Starts sshd with its files in `dir`; `sessionEnv` is set in every session. */
export async function startSshd(dir: string, sessionEnv: Record<string, string> = {}): Promise<LoopbackSshd> {
  const hostKey = path.join(dir, 'host_key');
  const key = path.join(dir, 'client_key');
  for (const k of [hostKey, key]) spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', k], { stdio: 'ignore' });
  fs.writeFileSync(path.join(dir, 'authorized_keys'), fs.readFileSync(`${key}.pub`));
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  const setEnv = Object.entries(sessionEnv).map(([k, v]) => `${k}=${v}`);
  fs.writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      ...(setEnv.length > 0 ? [`SetEnv ${setEnv.join(' ')}`] : []),
      'Subsystem sftp internal-sftp',
      '',
    ].join('\n'),
  );
  fs.mkdirSync('/run/sshd', { recursive: true });
  const sshd: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: 'ignore' });
  await waitForPort(port, 10_000);
  return {
    port,
    key,
    sshOptions: ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR'],
    stop: () => {
      sshd.kill('SIGTERM');
    },
  };
}
