import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Feature folders of electron/services may depend on each other in one direction
 * only, so each can be read (and moved) without the others pulling it back in.
 * Infrastructure every feature uses is left out of the graph: store/ (the project
 * database), rpc/ (dispatcher, read pool), project/project-service.ts (the open
 * project every handler is given) and the top-level files (wiring, app paths).
 */
const servicesDir = path.resolve(import.meta.dirname, '../../electron/services');
const infrastructure = new Set(['store', 'rpc']);
const infrastructureFiles = new Set(['project/project-service.ts']);

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The feature folder a file under electron/services belongs to, or null for infrastructure. */
function featureOf(file: string): string | null {
  const rel = path.relative(servicesDir, file).split(path.sep).join('/');
  if (rel.startsWith('..') || !rel.includes('/') || infrastructureFiles.has(rel)) return null;
  const folder = rel.slice(0, rel.indexOf('/'));
  return infrastructure.has(folder) ? null : folder;
}

const importPattern = /(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g;

/** Feature folder → the feature folders its files import, with one importing file as evidence. */
function featureGraph(): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const file of tsFiles(servicesDir)) {
    const from = featureOf(file);
    if (!from) continue;
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const match of fs.readFileSync(file, 'utf8').matchAll(importPattern)) {
      const target = path.resolve(path.dirname(file), match[1]!.replace(/\.js$/, '.ts'));
      const to = featureOf(target);
      if (to && to !== from && !edges.has(to)) edges.set(to, path.relative(servicesDir, file));
    }
  }
  return graph;
}

/** Strongly connected groups of more than one folder (Tarjan). */
function cycles(graph: Map<string, Map<string, string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      if (group.length > 1) found.push(group.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

describe('electron/services feature folders', () => {
  it('import each other without a cycle', () => {
    const graph = featureGraph();
    const described = cycles(graph).map((group) =>
      group
        .flatMap((from) =>
          [...(graph.get(from) ?? new Map<string, string>())]
            .filter(([to]) => group.includes(to))
            .map(([to, file]) => `${from} → ${to} (${file})`),
        )
        .join('; '),
    );
    expect(described).toEqual([]);
  });

  it('sees the imports it walks', () => {
    expect(featureGraph().get('completions')?.has('datasets')).toBe(true);
  });
});
