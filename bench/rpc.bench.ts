/**
 * Foundation figures: opening a project, and the cost of one RPC call through the
 * dispatcher directly versus JSON-RPC over the server host's WebSocket (the ratio is
 * the transport's overhead, measured in the same run).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { startServer } from '../electron/server.js';
import { ProjectStore } from '../electron/services/store/project-store.js';
import { percentile, timeIt, type Benchmark } from './harness.js';

export const benchmarks: Benchmark[] = [
  {
    name: 'project store: create and open',
    run(ctx) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'georeason-bench-'));
      try {
        const file = path.join(dir, 'b.georeason.sqlite');
        const created = timeIt(() => ProjectStore.create(file));
        created.value.close();
        const opens: number[] = [];
        for (let i = 0; i < 20; i++) {
          const t = timeIt(() => ProjectStore.open(file));
          t.value.close();
          opens.push(t.ms);
        }
        opens.sort((a, b) => a - b);
        ctx.figure({ name: 'create (migrate to latest)', value: created.ms, unit: 'ms' });
        ctx.figure({ name: 'open, median of 20', value: percentile(opens, 50), unit: 'ms' });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'rpc: dispatcher vs WebSocket round trip',
    async run(ctx) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'georeason-bench-'));
      const root = path.join(dir, 'r');
      fs.mkdirSync(root);
      fs.writeFileSync(path.join(root, 'index.html'), '');
      const server = await startServer({ userDataDir: path.join(dir, 'u'), rendererRoot: root, log: () => undefined });
      try {
        const calls = Math.max(100, Math.round(2000 * ctx.scale));
        let start = performance.now();
        for (let i = 0; i < calls; i++) await server.workbench.dispatcher.call('project.recent', {});
        const direct = (performance.now() - start) / calls;
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/rpc?token=${server.token}`);
        await new Promise((resolve) => ws.once('open', resolve));
        start = performance.now();
        for (let i = 0; i < calls; i++) {
          await new Promise<void>((resolve) => {
            ws.once('message', () => resolve());
            ws.send(JSON.stringify({ jsonrpc: '2.0', id: i, method: 'project.recent', params: {} }));
          });
        }
        const overWs = (performance.now() - start) / calls;
        ws.close();
        ctx.figure({ name: 'dispatcher call (baseline)', value: direct * 1000, unit: 'µs/call' });
        ctx.figure({ name: 'JSON-RPC over WebSocket', value: overWs * 1000, unit: 'µs/call' });
        ctx.figure({ name: 'WebSocket / dispatcher', value: overWs / direct, unit: '×' });
      } finally {
        await server.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
