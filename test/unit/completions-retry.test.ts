import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  isRetryable,
  parseRetryAfter,
  retryDelayMs,
  withRetries,
  type Attempt,
  type AttemptFailure,
} from '../../electron/services/completions/retry.js';
import { FileSecretStore, MemorySecretStore } from '../../electron/services/completions/secret-store.js';
import { tempDir } from '../helpers/temp.js';

const fail = (status: number | null, retryAfter: string | null = null): AttemptFailure => ({ status, retryAfter, message: `status ${status}`, aborted: false });
const policy = { retries: 3, backoffMs: 100, maxWaitMs: 5000 };

describe('retry policy', () => {
  it('retries 408, 429, 5xx and network failures, not other 4xx or a cancel', () => {
    expect([408, 429, 500, 502, 503].map((s) => isRetryable(fail(s)))).toEqual([true, true, true, true, true]);
    expect(isRetryable(fail(null))).toBe(true);
    expect([400, 401, 404, 422].map((s) => isRetryable(fail(s)))).toEqual([false, false, false, false]);
    expect(isRetryable({ ...fail(null), aborted: true })).toBe(false);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });

  it('backs off exponentially, honours Retry-After, caps every wait', () => {
    expect([0, 1, 2, 3].map((a) => retryDelayMs(policy, a, fail(500)))).toEqual([100, 200, 400, 800]);
    expect(retryDelayMs(policy, 0, fail(429, '3'))).toBe(3000);
    expect(retryDelayMs(policy, 0, fail(429, '3600'))).toBe(5000);
  });

  it('stops at success, at a final failure, or when the retries are spent', async () => {
    const waits: number[] = [];
    const wait = (ms: number): Promise<void> => {
      waits.push(ms);
      return Promise.resolve();
    };
    const script = (...results: Attempt<string>[]) => {
      let i = 0;
      return () => Promise.resolve(results[Math.min(i++, results.length - 1)] as Attempt<string>);
    };
    const signal = new AbortController().signal;
    const ok: Attempt<string> = { ok: true, value: 'yes' };
    expect(await withRetries(policy, signal, script({ ok: false, failure: fail(429, '1') }, { ok: false, failure: fail(503) }, ok), wait)).toEqual({ ...ok, tries: 3 });
    expect(waits).toEqual([1000, 200]);
    expect(await withRetries(policy, signal, script({ ok: false, failure: fail(401) }), wait)).toMatchObject({ ok: false, tries: 1 });
    expect(await withRetries(policy, signal, script({ ok: false, failure: fail(500) }), wait)).toMatchObject({ ok: false, tries: 4 });
  });

  it('gives up at once when cancelled during a wait', async () => {
    const controller = new AbortController();
    const pending = withRetries(policy, controller.signal, () => Promise.resolve<Attempt<string>>({ ok: false, failure: fail(500, '60') }));
    setTimeout(() => controller.abort(), 20);
    expect(await pending).toMatchObject({ ok: false, failure: { aborted: true }, tries: 1 });
  });
});

describe('secret stores', () => {
  it('keeps keys in memory', () => {
    const s = new MemorySecretStore();
    s.set('http://b', 'k2');
    s.set('http://a', 'k1');
    expect(s.get('http://a')).toBe('k1');
    expect(s.names()).toEqual(['http://a', 'http://b']);
    expect(s.delete('http://a')).toBe(true);
    expect(s.get('http://a')).toBeNull();
  });

  it('writes only what the cipher made, and reads it back', () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = path.join(dir, 'keys', 'api-keys.json');
      // A stand-in for safeStorage: reversible, and visibly not the plain text.
      const cipher = {
        encrypt: (plain: string) => Buffer.from([...Buffer.from(plain)].map((b) => b ^ 0x5a)),
        decrypt: (enc: Buffer) => Buffer.from([...enc].map((b) => b ^ 0x5a)).toString(),
      };
      const s = new FileSecretStore(file, cipher);
      s.set('http://gpu-box:8000/v1', 'sk-secret-123');
      expect(fs.readFileSync(file, 'utf8')).not.toContain('sk-secret-123');
      expect(new FileSecretStore(file, cipher).get('http://gpu-box:8000/v1')).toBe('sk-secret-123');
      expect(s.names()).toEqual(['http://gpu-box:8000/v1']);
      const broken = new FileSecretStore(file, { ...cipher, decrypt: () => { throw new Error('other machine'); } });
      expect(broken.get('http://gpu-box:8000/v1')).toBeNull();
      expect(s.delete('http://gpu-box:8000/v1')).toBe(true);
      expect(s.delete('http://gpu-box:8000/v1')).toBe(false);
      if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      cleanup();
    }
  });
});
