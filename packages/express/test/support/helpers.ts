import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir, writeTree } from '../../../../test-support/databases.js';

/** The fixture app the process tests run; it imports the built @strata/express (run `npm run build` first). */
export const FIXTURE_APP = fileURLToPath(new URL('../fixtures/app.mjs', import.meta.url));

/** Host and port of the test PostgreSQL server, for a proxy to forward to. */
/** A temp dir holding `migrations/<name>` for each entry; `path` is the migrations directory. */
export async function migrationsDir(
  files: Record<string, string>,
): Promise<{ path: string; root: string; cleanup(): Promise<void> }> {
  const dir = await tempDir('express');
  await writeTree(dir.path, Object.fromEntries(Object.entries(files).map(([name, sql]) => [`migrations/${name}`, sql])));
  return { path: join(dir.path, 'migrations'), root: dir.path, cleanup: dir.cleanup };
}

/** Polls `check` until it returns a value other than undefined or false. */
export async function waitUntil<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Tracks whether a promise has settled, without letting a rejection go unhandled. */
export function track<T>(promise: Promise<T>): { promise: Promise<T>; settled(): boolean } {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  return { promise, settled: () => settled };
}
