// The layering of src/ (docs/architecture.md), checked on the imports themselves: no
// import runs from a layer up to a higher one or sideways to its neighbour, and no
// files import each other in a loop. Type-only imports count: they tie the files as
// much for a reader.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The layers, top first, each a list of rooms (a folder `x/` or a file `x.ts` of src/). */
export function readLayers(markdown: string): string[][] {
  const block = /```layers\n([\s\S]*?)```/.exec(markdown);
  if (!block) throw new Error('docs/architecture.md has no ```layers block');
  return block[1]!.split('\n').filter((l) => l.trim()).map((line) => {
    const rooms: string[] = [];
    for (const token of line.split(/\s+/)) {
      if (!/^[a-z][a-z0-9-]*(\/|\.ts)$/.test(token)) break;
      rooms.push(token);
    }
    return rooms;
  });
}

/** The room of a file under src/: its top folder, or the file itself. */
export function roomOf(file: string): string {
  const [first, ...rest] = file.split('/');
  return rest.length ? `${first}/` : first!;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\b[^'"`;]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|^import\s+['"](\.{1,2}\/[^'"]+)['"]/gm;

/** file → the files of src/ it imports (paths relative to src/). */
export function importGraph(files: ReadonlyMap<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [file, text] of files) {
    const to: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3]!;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts');
      if (files.has(target)) to.push(target);
    }
    graph.set(file, to);
  }
  return graph;
}

/** Imports that run up or sideways, and rooms the layers do not list. */
export function layerProblems(graph: ReadonlyMap<string, readonly string[]>, layers: readonly string[][]): string[] {
  const rank = new Map<string, number>();
  layers.forEach((rooms, i) => rooms.forEach((r) => rank.set(r, i)));
  const problems = new Set<string>();
  for (const [from, tos] of graph) {
    const a = roomOf(from);
    if (!rank.has(a)) {
      problems.add(`${a} is in no layer of docs/architecture.md`);
      continue;
    }
    for (const to of tos) {
      const b = roomOf(to);
      if (a === b || !rank.has(b)) continue;
      if (rank.get(b)! <= rank.get(a)!) problems.add(`${from} -> ${to}: ${b} is ${rank.get(b) === rank.get(a) ? 'beside' : 'above'} ${a}`);
    }
  }
  return [...problems];
}

/** Files that import each other in a loop (Tarjan's strongly connected components). */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

function sources(): Map<string, string> {
  const src = path.join(ROOT, 'src');
  const files = new Map<string, string>();
  for (const f of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
    if (f.endsWith('.ts')) files.set(f.split(path.sep).join('/'), readFileSync(path.join(src, f), 'utf8'));
  }
  return files;
}

describe('the layers of src/ (docs/architecture.md)', () => {
  const layers = readLayers(readFileSync(path.join(ROOT, 'docs/architecture.md'), 'utf8'));
  const graph = importGraph(sources());

  it('reads the imports of src/', () => {
    expect(graph.get('probe/pipeline.ts')).toContain('module/plan.ts');
    expect(graph.get('fetch/transport.ts')).toContain('tls/verify.ts');
    expect(layers[0]).toEqual(['cli.ts']);
    expect(layers.at(-1)).toEqual(['spec/']);
  });

  it('has no import from a layer to a higher one or to its neighbour, and lists every folder', () => {
    expect(layerProblems(graph, layers)).toEqual([]);
  });

  it('has no files that import each other in a loop', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('spec/ imports none of ours', () => {
    const up = [...graph].filter(([f]) => f.startsWith('spec/')).flatMap(([f, tos]) => tos.filter((t) => !t.startsWith('spec/')).map((t) => `${f} -> ${t}`));
    expect(up).toEqual([]);
  });
});

describe('the check itself', () => {
  const text = new Map([
    ['a/x.ts', "import { y } from '../b/y.js';\nimport type { Z } from './z.js';"],
    ['a/z.ts', "export { x } from './x.js';"],
    ['b/y.ts', "const w = await import('../c/w.js');"],
    ['c/w.ts', "import type { X } from '../a/x.js';\nimport '../b/y.js';"],
    ['d/v.ts', ''],
  ]);
  const graph = importGraph(text);
  const layers = readLayers('```layers\na/   top\nb/ c/   side by side\n```');

  it('reads static, type-only, re-exporting, dynamic and bare imports', () => {
    expect(graph.get('a/x.ts')).toEqual(['b/y.ts', 'a/z.ts']);
    expect(graph.get('a/z.ts')).toEqual(['a/x.ts']);
    expect(graph.get('b/y.ts')).toEqual(['c/w.ts']);
    expect(graph.get('c/w.ts')).toEqual(['a/x.ts', 'b/y.ts']);
  });

  it('finds an import upward, one sideways, and a room no layer lists', () => {
    expect(layerProblems(graph, layers).sort()).toEqual([
      'b/y.ts -> c/w.ts: c/ is beside b/',
      'c/w.ts -> a/x.ts: a/ is above c/',
      'c/w.ts -> b/y.ts: b/ is beside c/',
      'd/ is in no layer of docs/architecture.md',
    ]);
  });

  it('finds loops, across folders and within one', () => {
    expect(cycles(graph).map((c) => c.join(' '))).toEqual(['a/x.ts a/z.ts b/y.ts c/w.ts']);
    expect(cycles(new Map([['a/x.ts', ['a/x.ts']]]))).toEqual([['a/x.ts']]);
  });
});
