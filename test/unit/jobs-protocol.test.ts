import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseNvidiaSmi } from '../../electron/services/jobs/environment.js';
import { LineSplitter, parseEventLine } from '../../electron/services/jobs/protocol.js';
import { tailLines } from '../../electron/services/jobs/rpc-handlers.js';
import { argmax, chainText, sampleChain, seededRandom } from '../../electron/services/jobs/policy-runner.js';
import { tempDir } from '../helpers/temp.js';

describe('job protocol', () => {
  it('reads the five events and keeps anything else as text', () => {
    expect(parseEventLine('{"event":"progress","step":12,"total":400}')).toEqual({ event: 'progress', step: 12, total: 400 });
    expect(parseEventLine('{"event":"metric","step":12,"name":"reward","value":0.41}')).toEqual({ event: 'metric', step: 12, name: 'reward', value: 0.41 });
    expect(parseEventLine('{"event":"log","level":"warn","message":"hi"}')).toEqual({ event: 'log', level: 'warn', message: 'hi' });
    expect(parseEventLine('{"event":"artifact","kind":"onnx","path":"/x/p.onnx"}')).toEqual({ event: 'artifact', kind: 'onnx', path: '/x/p.onnx' });
    expect(parseEventLine('{"event":"done","status":"failed","message":"oom"}')).toEqual({ event: 'done', status: 'failed', message: 'oom' });
    expect(parseEventLine('{"event":"done","status":"maybe"}')).toBeNull();
    expect(parseEventLine('{"event":"metric","step":1.5,"name":"x","value":1}')).toBeNull();
    expect(parseEventLine('{"event":"metric","step":1,"name":"x","value":null}')).toEqual({ event: 'metric', step: 1, name: 'x', value: null });
    expect(parseEventLine("{'loss': 0.1, 'reward': 0.2}")).toBeNull();
    expect(parseEventLine('Epoch 1/3')).toBeNull();
    expect(parseEventLine('[1, 2]')).toBeNull();
  });

  it('splits chunks into lines across chunk borders', () => {
    const lines: string[] = [];
    const s = new LineSplitter();
    s.push('{"event":"pro', (l) => lines.push(l));
    s.push('gress","step":1}\nabc\r\nde', (l) => lines.push(l));
    s.flush((l) => lines.push(l));
    expect(lines).toEqual(['{"event":"progress","step":1}', 'abc', 'de']);
  });

  it('parses nvidia-smi CSV', () => {
    expect(parseNvidiaSmi('0, NVIDIA H100 80GB HBM3, 81559, 1024, 37\n1, NVIDIA RTX 4090, 24564, [N/A], 0\n')).toEqual([
      { index: 0, name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559, memoryUsedMiB: 1024, utilizationPct: 37 },
      { index: 1, name: 'NVIDIA RTX 4090', memoryTotalMiB: 24564, memoryUsedMiB: null, utilizationPct: 0 },
    ]);
    expect(parseNvidiaSmi('')).toEqual([]);
  });

  it('tails a log file', () => {
    const t = tempDir();
    const f = path.join(t.dir, 'job.log');
    fs.writeFileSync(f, Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\n') + '\n');
    expect(tailLines(f, 3)).toEqual(['line 4997', 'line 4998', 'line 4999']);
    expect(tailLines(path.join(t.dir, 'none.log'), 3)).toEqual([]);
    t.cleanup();
  });
});

describe('policy decoding', () => {
  const meta = {
    countries: [{ code: 'JP', name: 'Japan' }],
    regions: [{ name: 'Hokkaidō', country: 0 }],
    cities: [
      { name: 'Biei', region: 0, lat: 43.452002, lon: 142.615358 },
      { name: 'Sapporo', region: 0, lat: 43.06417, lon: 141.34694 },
    ],
  };
  it('writes the Geo-R four-level answer', () => {
    expect(chainText(meta, 0)).toBe('Country: Japan State: Hokkaidō City: Biei Coordinates: (43.45200, 142.61536)');
  });
  it('takes the top chain and samples by temperature, reproducibly', () => {
    const row = new Float32Array([0, 3]);
    expect(argmax(row)).toBe(1);
    const draw = (t: number, seed: number) => {
      const r = seededRandom(seed);
      return Array.from({ length: 2000 }, () => sampleChain(row, t, r));
    };
    const share = (xs: number[]) => xs.filter((x) => x === 1).length / xs.length;
    expect(share(draw(1, 1))).toBeGreaterThan(0.9); // e^3/(1+e^3) = 0.95
    expect(share(draw(100, 1))).toBeLessThan(0.6); // nearly uniform
    expect(draw(1, 5)).toEqual(draw(1, 5));
  });
});
