import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliCommand, CliIo } from '../../electron/cli/command.js';
import { evalCommand } from '../../electron/cli/commands/eval.js';
import { parseCommand } from '../../electron/cli/commands/parse.js';
import { scoreCommand } from '../../electron/cli/commands/score.js';
import { parseCsv } from '../../electron/cli/csv.js';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'georeason-cli-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, content: string): string {
  fs.writeFileSync(path.join(dir, name), content);
  return name;
}

async function run(cmd: CliCommand, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { stdout: (t) => (out += t), stderr: (t) => (err += t), cwd: dir, env: {} };
  const code = await cmd.run(args, io);
  return { code, out, err };
}

const jsonl = (rows: unknown[]): string => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('georeason parse', () => {
  it('adds the parsed fields and keeps the others', async () => {
    const f = write(
      'c.jsonl',
      jsonl([
        { id: 'a', text: '<think>Snow.</think><answer>Country: Japan\nCity: Biei\nCoordinates: (43.45, 142.61)</answer>', model: 'm' },
        { id: 'b', text: '' },
      ]) + '\n',
    );
    const r = await run(parseCommand, [f]);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const lines = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ id: 'a', model: 'm', country: 'Japan', region: null, city: 'Biei', lat: 43.45, lon: 142.61, format_ok: true, reasoning: 'Snow.' });
    expect(lines[1]).toEqual({ id: 'b', text: '', country: null, region: null, city: null, lat: null, lon: null, format_ok: false, reasoning: null });
  });

  it('a bad line: file:line on stderr, exit 1, nothing on stdout', async () => {
    const f = write('bad.jsonl', `${JSON.stringify({ text: 'Country: Chad' })}\n{oops\n${JSON.stringify({ txt: 'x' })}\n`);
    const r = await run(parseCommand, [f]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^bad\.jsonl:2: invalid JSON/m);
    expect(r.err).toMatch(/^bad\.jsonl:3: missing "text"/m);
  });

  it('a missing file is reported', async () => {
    const r = await run(parseCommand, ['nope.jsonl']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/nope\.jsonl: no such file/);
  });

  it('usage mistakes throw UsageError', async () => {
    await expect(run(parseCommand, [])).rejects.toThrow(/one input file/);
  });
});

describe('georeason score', () => {
  const truth = { lat: 48.8566, lon: 2.3522 };
  const rows = [
    { id: 'img1', text: '<answer>Coordinates: (48.8566, 2.3522)</answer>', ...truth },
    { id: 'img1', text: '<answer>Coordinates: (48.8566, 2.3522) (1, 2)</answer>', ...truth },
    { id: 'img2', text: 'nothing here', ...truth },
    { id: 'img1', text: "{'LOC': [48.8566, 2.3522]}", ...truth },
    { id: 'img2', text: 'still nothing', ...truth },
  ];

  it('scores with a preset and reports GRPO group stats', async () => {
    const f = write('s.jsonl', jsonl(rows));
    const r = await run(scoreCommand, ['--spec', 'geo-r-paper', f]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as {
      completions: { id: string; reward: number; components: Record<string, number> }[];
      groups: { count: number; mean_reward: number; reward_std: number; frac_reward_zero_std: number };
    };
    expect(out.completions.map((c) => c.id)).toEqual(['img1', 'img1', 'img2', 'img1', 'img2']);
    expect(out.completions.map((c) => c.reward)).toEqual([1, 0, 0, 0, 0]);
    expect(out.completions[0]?.components).toEqual({ distance: 1, format: 1 });
    expect(out.completions[1]?.components).toEqual({ distance: expect.any(Number), format: 0 });
    expect(out.groups.count).toBe(2);
    expect(out.groups.mean_reward).toBeCloseTo(0.2, 12);
    // img1: [1, 0, 0] → sample std 0.57735…; img2: [0, 0] → 0.
    expect(out.groups.reward_std).toBeCloseTo(Math.sqrt(1 / 3) / 2, 12);
    expect(out.groups.frac_reward_zero_std).toBe(0.5);
  });

  it('scores with a spec file', async () => {
    const spec = write('spec.json', JSON.stringify({ components: [{ kind: 'distance', knots_km: [0, 1000], values: [1, 0] }] }));
    const f = write('s2.jsonl', jsonl([{ id: 1, text: '(48.8566, 2.3522)', ...truth }]));
    const r = await run(scoreCommand, ['--spec', spec, f]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ completions: [{ id: 1, reward: 1, components: { distance: 1 } }], groups: { count: 1 } });
  });

  it('globe presets read truth names from country/city', async () => {
    const text = '<think>x</think><answer>country: Japan\ncity: Tokyo</answer>';
    const f = write('g.jsonl', jsonl([{ id: 'a', text, ...truth, country: 'Japan', city: 'Tokyo' }]));
    const r = await run(scoreCommand, ['--spec', 'globe', f]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ completions: [{ reward: 2, components: { label_match: 1, format: 1 } }] });
  });

  it('rejects a bad spec file naming the field', async () => {
    const spec = write('bad-spec.json', JSON.stringify({ components: [{ kind: 'distance', knots_km: [0, 10], values: [1] }] }));
    const f = write('s3.jsonl', jsonl([{ id: 1, text: '', ...truth }]));
    const r = await run(scoreCommand, ['--spec', spec, f]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/bad-spec\.json: invalid reward spec: components\[0\]\.values/);
  });

  it('an unknown preset is a usage error', async () => {
    await expect(run(scoreCommand, ['--spec', 'nope', 'x.jsonl'])).rejects.toThrow(/no preset named 'nope'/);
  });

  it('bad lines: file:line, exit 1, nothing written', async () => {
    const f = write(
      's4.jsonl',
      jsonl([
        { id: 'a', text: '', ...truth },
        { id: 'a', text: '', lat: 'x', lon: 2 },
        { id: 'a', text: '', lat: 91, lon: 2 },
        { text: '', ...truth },
        { id: 'a', text: '', lat: 1 },
      ]),
    );
    const r = await run(scoreCommand, ['--spec', 'geo-r-code', f]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^s4\.jsonl:2: "lat" is not a number/m);
    expect(r.err).toMatch(/^s4\.jsonl:3: "lat" 91 is out of range/m);
    expect(r.err).toMatch(/^s4\.jsonl:4: missing "id"/m);
    expect(r.err).toMatch(/^s4\.jsonl:5: missing "lon"/m);
  });
});

describe('georeason eval', () => {
  // The metrics vector: five predictions and one missing.
  const gtCsv = [
    'IMG_ID,AUTHOR,LAT,LON',
    'p1,"Doe, J.",48.8566,2.3522',
    'p2,"He said ""hi""",40.7128,-74.006',
    'p3,"multi\nline",35.6762,139.6503',
    'p4,x,-33.8688,151.2093',
    'p5,x,51.5074,-0.1278',
    'p6,x,55.7558,37.6173',
  ].join('\r\n');
  const predCsv = ['id,lat,lon', 'p1,48.8606,2.3376', 'p2,40.6,-73.9', 'p3,34.6937,135.5023', 'p4,-37.8136,144.9631', 'p5,48.8566,2.3522', 'p6,,', 'other,1,2'].join('\n');
  const expected = { '1': 0, '25': 2 / 6, '200': 2 / 6, '750': 5 / 6, '2500': 5 / 6 };

  it('--json with CSV predictions', async () => {
    write('gt.csv', gtCsv);
    write('pred.csv', predCsv);
    const r = await run(evalCommand, ['--gt', 'gt.csv', '--pred', 'pred.csv', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { n: number; accuracy: Record<string, number>; median_km: number; mean_km: number };
    expect(Object.keys(out)).toEqual(['n', 'accuracy', 'median_km', 'mean_km']);
    expect(out.n).toBe(6);
    for (const [t, a] of Object.entries(expected)) expect(out.accuracy[t]).toBeCloseTo(a, 12);
    expect(out.median_km).toBeCloseTo(343.55606, 4);
    expect(r.err).toMatch(/1 prediction id\(s\) not in the ground truth/);
  });

  it('completions JSONL are parsed; the table is readable', async () => {
    write('gt.csv', gtCsv);
    write(
      'pred.jsonl',
      jsonl([
        { id: 'p1', text: '<answer>Coordinates: (48.8606, 2.3376)</answer>' },
        { id: 'p5', text: 'Coordinates: 48.8566, 2.3522' },
        { id: 'p5', text: 'Coordinates: (0, 0)' },
        { id: 'p6', text: 'no idea' },
      ]),
    );
    const r = await run(evalCommand, ['--gt', 'gt.csv', '--pred', 'pred.jsonl']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ground truth: 6 rows; with a prediction: 2/);
    expect(r.out).toMatch(/750 km\s+33\.33%/);
    expect(r.out).toMatch(/median error\s+172\.36 km/);
    expect(r.err).toMatch(/1 repeated prediction id/);
  });

  it.each([
    ['missing column', 'IMG_ID,LAT\np1,1\n', /gt-bad\.csv:1: missing column lon/],
    ['non-numeric', 'id,lat,lon\np1,abc,2\n', /gt-bad\.csv:2: lat is not a number: "abc"/],
    ['out of range', 'id,latitude,longitude\np1,10,200\n', /gt-bad\.csv:2: longitude 200 is out of range/],
    ['empty truth', 'id,lat,lon\n\np1,,2\n', /gt-bad\.csv:3: lat is empty/],
    ['field count', 'id,lat,lon\np1,1\n', /gt-bad\.csv:2: expected 3 fields, got 2/],
    ['unterminated quote', 'id,lat,lon\n"p1,1,2\n', /gt-bad\.csv:2: unterminated quoted field/],
    ['duplicate id', 'id,lat,lon\np1,1,2\np1,1,2\n', /gt-bad\.csv:3: duplicate id "p1"/],
    ['no rows (header only)', 'id,lat,lon\n', /gt-bad\.csv: the ground truth has no rows/],
    ['no rows (blank lines)', 'id,lat,lon\n\n\n', /gt-bad\.csv: the ground truth has no rows/],
  ])('bad ground truth: %s', async (_n, content, msg) => {
    write('gt-bad.csv', content);
    write('pred-ok.csv', 'id,lat,lon\np1,1,2\n');
    const r = await run(evalCommand, ['--gt', 'gt-bad.csv', '--pred', 'pred-ok.csv', '--json']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(msg);
  });

  it('bad prediction JSONL line', async () => {
    write('gt.csv', gtCsv);
    write('pred-bad.jsonl', jsonl([{ id: 'p1', lat: 1 }, { id: 'p2', lat: 1, lon: 500 }]));
    const r = await run(evalCommand, ['--gt', 'gt.csv', '--pred', 'pred-bad.jsonl']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/pred-bad\.jsonl:1: needs "text" or "lat" and "lon"/);
    expect(r.err).toMatch(/pred-bad\.jsonl:2: "lon" 500 is out of range/);
  });

  it('--gt and --pred are required', async () => {
    await expect(run(evalCommand, ['--pred', 'x.csv'])).rejects.toThrow(/--gt/);
  });
});

describe('parseCsv', () => {
  it('reads RFC 4180 fields and keeps the starting line of each record', () => {
    const recs = parseCsv('\uFEFFa,b\r\n"x, y","say ""hi"""\r\n"two\nlines",z\n\nlast,\n');
    expect(recs).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 3, fields: ['two\nlines', 'z'] },
      { line: 6, fields: ['last', ''] },
    ]);
  });
  it('accepts a last line without a newline and empty quoted fields', () => {
    expect(parseCsv('a,"",c')).toEqual([{ line: 1, fields: ['a', '', 'c'] }]);
  });
  it('rejects text after a closing quote', () => {
    expect(() => parseCsv('"a"b,c')).toThrow(/after a closing quote/);
  });
});
