/**
 * No import cycles in packages/core/src, type-only imports included: a cycle is two modules that
 * cannot be understood (or moved, or split) one without the other, and a value cycle can leave
 * one of them half-initialised when the other first runs.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

/** Every .ts file under `dir`, as absolute paths. */
async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * The relative specifiers a file imports or re-exports, `import type` and `export ... from`
 * included, read by TypeScript's own scanner (so an `import` inside a comment or string is not one).
 */
function relativeSpecifiers(text: string): string[] {
  const { importedFiles } = ts.preProcessFile(text, true, false);
  return importedFiles.map((file) => file.fileName).filter((name) => name.startsWith('./') || name.startsWith('../'));
}

/** NodeNext spells a sibling `x.ts` as `./x.js`; a directory import would be `./dir/index.js`. */
function resolveSpecifier(from: string, specifier: string, files: ReadonlySet<string>): string | undefined {
  const base = resolve(dirname(from), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((candidate) => files.has(candidate));
}

/** Module → the modules it imports, by absolute path; unresolvable specifiers are listed apart. */
async function importGraph(): Promise<{ graph: Map<string, string[]>; unresolved: string[] }> {
  const files = await sourceFiles(SRC);
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const file of files) {
    const targets = new Set<string>();
    for (const specifier of relativeSpecifiers(await readFile(file, 'utf8'))) {
      const target = resolveSpecifier(file, specifier, known);
      if (target) targets.add(target);
      else unresolved.push(`${relative(SRC, file)}: ${specifier}`);
    }
    graph.set(file, [...targets].sort());
  }
  return { graph, unresolved };
}

/** Strongly connected components with more than one module, or a module importing itself (Tarjan). */
function cyclicComponents(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];

  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)?.includes(node)) components.push(component.sort());
  };

  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components;
}

/** One concrete cycle through a component's first module, by breadth-first search inside the component. */
function cycleThrough(component: readonly string[], graph: ReadonlyMap<string, readonly string[]>): string[] {
  const members = new Set(component);
  const start = component[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let at = node; at !== start; at = previous.get(at)!) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

describe('the import graph of packages/core/src', () => {
  it('every relative import names a file that exists', async () => {
    const { graph, unresolved } = await importGraph();
    expect(graph.size).toBeGreaterThan(50);
    expect(unresolved).toEqual([]);
  });

  it('finds cycles, so that finding none means something', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c', 'd']],
      ['c', ['a']],
      ['d', ['d']],
      ['e', ['a']],
    ]);
    expect(cyclicComponents(graph)).toEqual([['d'], ['a', 'b', 'c']]);
    expect(cycleThrough(['a', 'b', 'c'], graph)).toEqual(['a', 'b', 'c', 'a']);
    expect(
      relativeSpecifiers("import type { A } from './a.js';\nexport { b } from '../b.js';\n// import './c.js';\nimport 'pg';"),
    ).toEqual(['./a.js', '../b.js']);
  });

  it('has no cycle, type-only imports included', async () => {
    const { graph } = await importGraph();
    const cycles = cyclicComponents(graph).map((component) => {
      const cycle = cycleThrough(component, graph);
      const others = component.filter((file) => !cycle.includes(file));
      const shown = cycle.map((file) => relative(SRC, file)).join(' → ');
      // A knot of several cycles is named whole, so fixing one cycle does not reveal the next by surprise.
      return others.length === 0 ? shown : `${shown} (tangled with ${others.map((file) => relative(SRC, file)).join(', ')})`;
    });
    expect(cycles, `import cycles in packages/core/src:\n${cycles.join('\n')}`).toEqual([]);
  });
});
