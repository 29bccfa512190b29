/**
 * The README snippets a test runs. A fenced `ts` or `js` block is runnable when the line before it
 * is `<!-- snippet: run -->`: a whole program, as a reader would paste it into a file. Fragments
 * (a line that assumes an app or a pool around it) carry no marker and are not run.
 */
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import ts from 'typescript';
import { spawnNode, tempDir, writeTree } from './databases.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MARKER = /^<!--\s*snippet:\s*run\s*-->\s*$/;
const FENCE = /^```(ts|js)\s*$/;

/** What the snippets' `./migrations` holds: the `users` table the Express one reads. */
export const SNIPPET_MIGRATIONS = {
  'migrations/0001_create_users.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n',
};

export interface Snippet {
  /** `README.md:<line of the fence>`, for messages. */
  name: string;
  language: 'ts' | 'js';
  code: string;
}

/** The runnable snippets of a README (a path from the repository root). */
export async function runnableSnippets(readme: string): Promise<Snippet[]> {
  const lines = (await readFile(join(ROOT, readme), 'utf8')).split('\n');
  const snippets: Snippet[] = [];
  for (let i = 1; i < lines.length; i++) {
    const fence = FENCE.exec(lines[i] ?? '');
    if (!fence || !MARKER.test(lines[i - 1] ?? '')) continue;
    const end = lines.findIndex((line, j) => j > i && line.startsWith('```'));
    if (end === -1) throw new Error(`${readme}:${i + 1}: the snippet's fence is never closed`);
    snippets.push({ name: `${readme}:${i + 1}`, language: fence[1] as 'ts' | 'js', code: lines.slice(i + 1, end).join('\n') });
  }
  return snippets;
}

export interface SnippetRun {
  snippet: Snippet;
  /** Files written beside the snippet (its `migrations/`). */
  files: Record<string, string>;
  env: Record<string, string>;
}

export interface SnippetResult {
  name: string;
  /** Where the snippet ran (its files, a SQLite file it made); removed once `inspect` returns. */
  dir: string;
  ok: boolean;
  error?: string;
  /** The status of GET /readyz on each server the snippet started. */
  readyz: number[];
}

/**
 * Runs the snippets in one Node process against the built workspace packages (the temp directory
 * resolves `@strata/*` through the repository's node_modules). TypeScript is only transpiled,
 * with Nest's legacy decorators; types are the compiler's business, not this test's.
 */
export async function runSnippets(
  runs: readonly SnippetRun[],
  inspect: (results: SnippetResult[]) => Promise<void>,
): Promise<void> {
  const dir = await tempDir('readme');
  try {
    await symlink(join(ROOT, 'node_modules'), join(dir.path, 'node_modules'), 'dir');
    const manifest: { name: string; dir: string; file: string; env: Record<string, string> }[] = [];
    for (const [index, { snippet, files, env }] of runs.entries()) {
      const snippetDir = join(dir.path, `snippet-${index}`);
      await mkdir(snippetDir);
      await writeTree(snippetDir, files);
      const file = join(snippetDir, 'snippet.mjs');
      await writeFile(file, snippet.language === 'ts' ? transpile(snippet.code) : snippet.code);
      manifest.push({ name: snippet.name, dir: snippetDir, file, env });
    }
    const manifestPath = join(dir.path, 'manifest.json');
    await writeFile(manifestPath, JSON.stringify(manifest));
    const child = await spawnNode([join(ROOT, 'test-support/readme-snippet-runner.mjs'), manifestPath], { cwd: dir.path });
    const last = child.stdout.trim().split('\n').at(-1) ?? '';
    if (child.code !== 0 || !last.startsWith('[')) {
      throw new Error(`the snippet runner failed (exit ${child.code}):\n${child.stderr}\n${child.stdout}`);
    }
    const results = (JSON.parse(last) as Omit<SnippetResult, 'dir'>[]).map((result, i) => ({ ...result, dir: manifest[i]!.dir }));
    await inspect(results);
  } finally {
    await dir.cleanup();
  }
}

function transpile(code: string): string {
  return ts.transpileModule(code, {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      verbatimModuleSyntax: false,
    },
  }).outputText;
}

/** The versions in a PostgreSQL database's history table, as text: what a snippet's run left. */
export async function appliedVersions(databaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query('SELECT version FROM _strata_migrations ORDER BY version')).rows.map((row) => String(row.version));
  } finally {
    await client.end();
  }
}
