#!/usr/bin/env node
// Entry point of `npx georeason`: runs the built CLI (npm install builds it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/electron/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('georeason: the app is not built yet; run `npm install` (or `npm run build`) in the checkout first.');
  process.exit(1);
}
const { runCli } = await import(cli);
const { processIo } = await import(fileURLToPath(new URL('../dist/electron/cli/command.js', import.meta.url)));
process.exitCode = await runCli(process.argv.slice(2), processIo());
