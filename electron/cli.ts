/**
 * The CLI host: batch work without a window. `npx georeason --help` lists the
 * commands; each calls the services directly (no RPC hop).
 */
import { pathToFileURL } from 'node:url';
import { isRpcErrorShape } from '../shared/rpc/errors.js';
import { appVersion } from './services/app-paths.js';
import { processIo, UsageError, type CliIo } from './cli/command.js';
import { commands } from './cli/registry.js';

export function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    `GeoReason Workbench ${appVersion}`,
    '',
    'Usage: georeason <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `georeason <command> --help` for a command\'s options.',
    '',
  ].join('\n');
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(helpText());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${appVersion}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`georeason: unknown command '${name}'\n\n${helpText()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.summary}\n\nUsage: ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    const nodeCode = (err as { code?: unknown }).code;
    if (err instanceof UsageError || (typeof nodeCode === 'string' && nodeCode.startsWith('ERR_PARSE_ARGS'))) {
      io.stderr(`georeason ${name}: ${(err as Error).message}\nUsage: ${command.usage}\n`);
      return 2;
    }
    if (isRpcErrorShape(err)) {
      io.stderr(`georeason ${name}: ${err.message}\n`);
      return 1;
    }
    io.stderr(`georeason ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runCli(process.argv.slice(2), processIo()).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
