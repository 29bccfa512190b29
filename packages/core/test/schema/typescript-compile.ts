import { execFile } from 'node:child_process';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir, writeTree } from '../../../../test-support/databases.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
/** The repository's own TypeScript, the one `npm run build` uses. */
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

export interface CompileResult {
  code: number | null;
  /** tsc's diagnostics (empty when it compiled). */
  output: string;
}

/**
 * `tsc --strict --noEmit` on `files` (name → text) in a temp directory whose node_modules is the
 * repository's, so a usage file imports kysely, pg and better-sqlite3 as an app would. ESM
 * (NodeNext), as the project and most new apps are.
 */
export async function compileStrict(files: Record<string, string>): Promise<CompileResult> {
  const dir = await tempDir('types-tsc');
  try {
    await writeTree(dir.path, files);
    await symlink(join(ROOT, 'node_modules'), join(dir.path, 'node_modules'), 'dir');
    await writeTree(dir.path, { 'package.json': '{ "type": "module" }\n' });
    const args = [
      TSC,
      '--strict',
      '--noEmit',
      '--noUnusedLocals',
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--types',
      'node',
      '--skipLibCheck',
      ...Object.keys(files),
    ];
    return await new Promise((resolve) => {
      execFile(process.execPath, args, { cwd: dir.path, timeout: 120_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}`.trim() });
      });
    });
  } finally {
    await dir.cleanup();
  }
}
