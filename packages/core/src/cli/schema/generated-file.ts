import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { CommandContext } from '../context.js';
import { EXIT_FAILURE } from '../exit-codes.js';
import { printable } from '../format.js';

/** Writes a generated file (its directories made); false when it already held exactly `text`. */
export async function writeGeneratedFile(context: CommandContext, out: string, text: string): Promise<boolean> {
  const path = resolve(context.io.cwd, out);
  if ((await readOrUndefined(path)) === text) return false;
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
  return true;
}

/**
 * `--check`: compares a committed file with what would be written, changes nothing, and says in one
 * line how to fix a stale or missing file. The exit code is 1 unless it is fresh.
 */
export async function checkGeneratedFile(
  context: CommandContext,
  check: { out: string; text: string; fix: string; json: Record<string, unknown> },
): Promise<number> {
  const current = await readOrUndefined(resolve(context.io.cwd, check.out));
  const fresh = current === check.text;
  if (context.out.json) {
    context.out.document({ file: check.out, ...check.json, fresh, exists: current !== undefined });
  } else if (fresh) {
    context.out.line(context.out.style.green(`✓ ${printable(check.out)} is up to date.`));
  } else {
    const state = current === undefined ? 'does not exist' : 'is stale';
    context.out.line(context.out.style.red(`✗ ${printable(check.out)} ${state}: run \`${check.fix}\` and commit it.`));
  }
  return fresh ? 0 : EXIT_FAILURE;
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}
