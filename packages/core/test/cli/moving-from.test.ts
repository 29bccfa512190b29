/**
 * The "Moving from ..." guides (packages/core/docs/moving-from.md) as a person follows them: the
 * tool itself (or its own table definition) made the history, a person wrote the SQL files where
 * the tool's migrations are JavaScript, and then the guide's command block runs as it is, in bash,
 * with `strata` on PATH as the built CLI. Judged by strata's history, its audit rows and the schema.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ToolName } from '../../src/index.js';
import { CASES, FIXTURES, rowsOn, writeFiles } from '../adopt/support/foreign-histories.js';
import { type OpenedPlace, openPlace } from '../adopt/support/places.js';
import { STRATA_MAIN } from './helpers/strata.js';

const GUIDE = fileURLToPath(new URL('../../docs/moving-from.md', import.meta.url));

/** The shell block right after `<!-- guide: TOOL -->`. */
export function guideCommands(markdown: string, tool: ToolName): string {
  const marker = `<!-- guide: ${tool} -->`;
  const at = markdown.indexOf(marker);
  if (at < 0) throw new Error(`the guide has no section marked ${marker}`);
  const block = /^```sh\n([\s\S]*?)^```$/m.exec(markdown.slice(at + marker.length));
  if (!block) throw new Error(`no sh block after ${marker}`);
  return block[1]!;
}

function bash(script: string, cwd: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

let markdown: string;
let shimDir: string;
beforeAll(async () => {
  markdown = await readFile(GUIDE, 'utf8');
  // `strata` as a person has it on PATH: the built CLI.
  shimDir = await mkdtemp(join(tmpdir(), 'strata-bin-'));
  await writeFile(join(shimDir, 'strata'), `#!/bin/sh\nexec "${process.execPath}" "${STRATA_MAIN}" "$@"\n`);
  await chmod(join(shimDir, 'strata'), 0o755);
  return () => rm(shimDir, { recursive: true, force: true });
});

let opened: OpenedPlace | undefined;
afterEach(async () => {
  await opened?.close();
  opened = undefined;
});

describe.each(CASES)('the guide "Moving from %s" on %s', (tool, kind) => {
  it("its commands import the tool's history, and the following run applies only the newer migration", async () => {
    const fixture = FIXTURES[tool];
    opened = await openPlace(kind);
    const { place } = opened;
    await fixture.create(place);
    if (!fixture.guideConverts) await writeFiles(place.dir, fixture.strataFiles);
    await writeFiles(place.dir, { [fixture.next.file]: fixture.next.content });

    const url = kind === 'sqlite' ? 'sqlite://app.db' : kind === 'mysql' ? place.mysqlUrl! : place.pgUrl!;
    const result = await bash(guideCommands(markdown, tool), place.dir, {
      PATH: `${shimDir}:${process.env.PATH}`,
      DATABASE_URL: url,
      NO_COLOR: '1',
    });
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`Dry run: import from ${tool} would record 2 migration(s)`);
    expect(result.output).toContain(`Recorded 2 migration(s) as applied without running them (import from ${tool})`);
    expect(result.output).not.toContain('warning:');

    const [v1, v2, v3] = fixture.versions;
    const history = await rowsOn(place, 'SELECT version FROM _strata_migrations ORDER BY version');
    expect(history.map((row) => String(row.version))).toEqual([v1, v2, v3]);
    const audit = await rowsOn(place, 'SELECT version, resolution FROM _strata_migrations_resolutions ORDER BY version');
    expect(audit.map((row) => [String(row.version), row.resolution])).toEqual([
      [v1, `imported from ${tool}`],
      [v2, `imported from ${tool}`],
    ]);
    expect((await rowsOn(place, 'SELECT COUNT(*) AS n FROM tags')).map((row) => Number(row.n))).toEqual([0]);
  });
});

describe('FOREIGN_HISTORY on the command line', () => {
  it('`strata --table __diesel_schema_migrations info` names Diesel and the import command, exit 1', async () => {
    opened = await openPlace('sqlite');
    await FIXTURES.diesel.create(opened.place);
    const result = await bash('strata --table __diesel_schema_migrations info', opened.place.dir, {
      PATH: `${shimDir}:${process.env.PATH}`,
      DATABASE_URL: 'sqlite://app.db',
      NO_COLOR: '1',
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain('error[FOREIGN_HISTORY]');
    expect(result.output).toContain('is diesel');
    expect(result.output).toContain('`strata import --from diesel`');
    expect(result.output).not.toContain('HISTORY_CORRUPT');
  });
});
