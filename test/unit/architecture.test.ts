/**
 * The shape of the source tree (README "Layout"): which folder may import which, no import circle, and
 * no GPU code reaching into the CPU engine. Read from the import statements themselves, so a new file
 * is checked without being listed anywhere.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACTIVATION_IDS, ARCHITECTURE_IDS, ENSEMBLE_IDS } from '../../src/model/index';

const ROOT = resolve(__dirname, '../..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative module specifiers of a file (static imports, re-exports and dynamic imports), resolved to src paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'";]*?from\s*'([^']+)'/g),
    ...text.matchAll(/import\(\s*'([^']+)'\s*\)/g),
    ...text.matchAll(/(?:^|\n)\s*import\s*'([^']+)'/g),
  ].map((m) => m[1]!);
  return specs
    .filter((s) => s.startsWith('.'))
    .map((s) => s.replace(/\?.*$/, ''))
    .map((s) => {
      const base = resolve(dirname(file), s);
      if (base.endsWith('.wgsl') || base.endsWith('.wat') || base.endsWith('.wasm')) return base;
      for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) if (candidate.endsWith('.ts') && FILES.has(candidate)) return candidate;
      return base;
    });
}

const FILES = new Set(sourceFiles(SRC));
const GRAPH = new Map([...FILES].map((f) => [f, importsOf(f).filter((t) => t.startsWith(SRC))]));

/** Top-level folder under src/ of a path ('model', 'engine', ...). */
const area = (path: string) => relative(SRC, path).split('/')[0]!;

/**
 * What each folder may import (besides itself): the ground floor first. params reads the model's
 * entries; engines and theory read params and the model; plots draw what theory and engines give; the
 * UI and the CLI sit on top.
 */
const ALLOWED: Record<string, readonly string[]> = {
  // The page's entry point: it only hosts the element.
  'main.ts': ['ui'],
  math: [],
  model: ['math'],
  params: ['model', 'math'],
  engine: ['params', 'model', 'math'],
  theory: ['params', 'model', 'math'],
  plots: ['theory', 'params', 'model', 'math'],
  ui: ['plots', 'theory', 'engine', 'params', 'model', 'math'],
  cli: ['engine', 'theory', 'params', 'model', 'math'],
};

describe('source layout', () => {
  it('knows every top-level folder under src/', () => {
    expect([...new Set([...FILES].map(area))].sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it('imports only downwards (model and math at the ground, UI and CLI on top)', () => {
    const wrong: string[] = [];
    for (const [file, targets] of GRAPH) {
      const from = area(file);
      for (const t of targets) {
        const to = area(t);
        if (to !== from && !ALLOWED[from]!.includes(to)) wrong.push(`${relative(ROOT, file)} -> ${relative(ROOT, t)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no import circle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (f: string) => {
      state.set(f, 'open');
      stack.push(f);
      for (const t of GRAPH.get(f) ?? []) {
        if (!GRAPH.has(t)) continue;
        if (state.get(t) === 'open')
          cycles.push(
            stack
              .slice(stack.indexOf(t))
              .concat(t)
              .map((p) => relative(SRC, p))
              .join(' -> '),
          );
        else if (!state.has(t)) visit(t);
      }
      stack.pop();
      state.set(f, 'done');
    };
    for (const f of GRAPH.keys()) if (!state.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('keeps the GPU engine out of the CPU engine and the CPU engine out of the GPU engine', () => {
    const wrong: string[] = [];
    for (const [file, targets] of GRAPH) {
      const rel = relative(SRC, file);
      for (const t of targets) {
        const to = relative(SRC, t);
        if ((rel.startsWith('engine/gpu/') && to.startsWith('engine/cpu/')) || (rel.startsWith('engine/cpu/') && to.startsWith('engine/gpu/')))
          wrong.push(`${rel} -> ${to}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("points comments and messages at the project's own docs/THEORY.md, never at a file outside the repository", () => {
    const scanned = [...FILES, ...sourceFiles(join(ROOT, 'test')), ...readdirSync(join(ROOT, 'shaders')).map((f) => join(ROOT, 'shaders', f))].filter(
      (f) => f !== __filename,
    );
    const outside = /(?<!docs\/)THEORY\.md|theory sheet|shared\//i;
    const wrong = scanned.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => (outside.test(line) ? [`${relative(ROOT, f)}:${i + 1}: ${line.trim().slice(0, 80)}`] : [])),
    );
    expect(wrong).toEqual([]);
  });

  it('names each activation, ensemble and architecture in its registry entry, and in at most two other files', () => {
    // Outside src/model an id may appear as a default (the params table) or an example query (the CLI's
    // usage text and benchmark configurations); anywhere else a feature would be spread over the tree.
    const scanned = [...FILES, ...readdirSync(join(ROOT, 'shaders')).map((f) => join(ROOT, 'shaders', f))].filter(
      (f) =>
        !relative(SRC, f).startsWith('model/') &&
        !relative(SRC, f).startsWith('cli/') &&
        !['params/table.ts', 'params/spec-types.ts'].includes(relative(SRC, f)),
    );
    const texts = new Map(scanned.map((f) => [f, readFileSync(f, 'utf8')]));
    const spread: string[] = [];
    for (const id of [...ACTIVATION_IDS, ...ENSEMBLE_IDS, ...ARCHITECTURE_IDS]) {
      const named = new RegExp(`['"\`]${id}['"\`]|=${id}\\b`);
      const files = [...texts].filter(([, text]) => named.test(text)).map(([f]) => relative(ROOT, f));
      if (files.length > 2) spread.push(`${id}: ${files.join(', ')}`);
    }
    expect(spread).toEqual([]);
  });
});
