/**
 * Nothing a params schema accepts can exceed the server's message size limit: the
 * longest id lists the schemas allow, with the widest ids, still fit in one
 * JSON-RPC message; one id more is refused with a message that names the way to
 * pass a larger set (by reference).
 */
import { describe, expect, it } from 'vitest';
import { Selection } from '../../shared/rpc/completions-methods.js';
import { MAX_ID_LIST, MAX_MESSAGE_BYTES, contract } from '../../shared/rpc/contract.js';
import { StartJobParams } from '../../shared/rpc/jobs-methods.js';

const widest = (n: number): number[] => new Array<number>(n).fill(Number.MAX_SAFE_INTEGER);
const envelope = (method: string, params: unknown): number =>
  Buffer.byteLength(JSON.stringify({ jsonrpc: '2.0', id: Number.MAX_SAFE_INTEGER, method, params }));

describe('RPC size limits', () => {
  it('jobs.start: the longest accepted hardImageIds list fits in one message', () => {
    const params = { datasetId: 1, spec: {}, hardImageIds: widest(MAX_ID_LIST) };
    expect(StartJobParams.safeParse(params).success).toBe(true);
    expect(envelope('jobs.start', params)).toBeLessThan(MAX_MESSAGE_BYTES / 2);
  });

  it('jobs.start: one id more is refused, pointing to a saved subset', () => {
    const result = StartJobParams.safeParse({ datasetId: 1, spec: {}, hardImageIds: widest(MAX_ID_LIST + 1) });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/hardSubsetId/);
    expect(StartJobParams.safeParse({ datasetId: 1, spec: {}, hardSubsetId: 3 }).success).toBe(true);
  });

  it('completion runs: the longest accepted imageIds list fits in one message', () => {
    expect(Selection.safeParse({ imageIds: widest(MAX_ID_LIST) }).success).toBe(true);
    expect(Selection.safeParse({ imageIds: widest(MAX_ID_LIST + 1) }).success).toBe(false);
    expect(envelope('completions.startRun', { selection: { imageIds: widest(MAX_ID_LIST) } })).toBeLessThan(MAX_MESSAGE_BYTES / 2);
  });

  it('the method names stay', () => {
    expect(Object.keys(contract)).toContain('jobs.start');
  });
});
