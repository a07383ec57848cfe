import type { CliCommand } from '../command.js';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'start the server host: the workbench UI in any browser',
  usage: 'georeason serve [--host 127.0.0.1] [--port 0] [--project <file>] [--demo]',
  async run(args) {
    const { runServerFromArgs } = await import('../../server.js');
    await runServerFromArgs(args);
    // The server keeps the process alive; the exit code comes when it stops.
    return new Promise<number>(() => undefined);
  },
};
