import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FOREIGN_TOOLS } from '../../src/adopt/tools/index.js';
import { type ImportReport, Migrator } from '../../src/index.js';
import { CASES, FIXTURES, rowsOn, writeFiles } from './support/foreign-histories.js';
import { openPlace } from './support/places.js';

const versions = (report: ImportReport, list: 'recorded' | 'planned' | 'matched') => report[list].map((m) => String(m.version));

describe.each(CASES)('import --from %s on %s, its history made by the tool itself', (tool, kind) => {
  const fixture = FIXTURES[tool];
  let opened: Awaited<ReturnType<typeof openPlace>> | undefined;
  afterEach(async () => {
    await opened?.close();
    opened = undefined;
  });

  it('dry run changes nothing; import records the two applied migrations with audit rows, leaves the tool table alone; run applies only the newer one', async () => {
    opened = await openPlace(kind);
    const { place, handle } = opened;
    await fixture.create(place);
    await writeFiles(place.dir, { ...fixture.strataFiles, [fixture.next.file]: fixture.next.content });
    const [v1, v2, v3] = fixture.versions;
    const foreignTable = (() => {
      const t = FOREIGN_TOOLS[tool];
      const schema = t.schema?.[kind];
      const q = (name: string) => (kind === 'mysql' ? `\`${name}\`` : `"${name}"`);
      return schema ? `${q(schema)}.${q(t.table)}` : q(t.table);
    })();
    const foreignBefore = await rowsOn(place, `SELECT * FROM ${foreignTable}`);
    expect(foreignBefore.length).toBeGreaterThan(0);

    const migrator = new Migrator({ db: handle as never, migrations: join(place.dir, fixture.source) });
    const dry = await migrator.importHistory({ from: tool, dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(versions(dry, 'planned')).toEqual([v1, v2]);
    expect(dry.recorded).toEqual([]);
    expect(versions(dry, 'matched')).toEqual([v1, v2]);
    expect(dry.unmatchedForeign).toEqual([]);
    expect((await migrator.status()).map((s) => s.state)).toEqual(['pending', 'pending', 'pending']);

    const report = await migrator.importHistory({ from: tool });
    expect(versions(report, 'recorded')).toEqual([v1, v2]);
    expect(report.unmatchedForeign).toEqual([]);
    expect(report.unmatchedSource).toEqual([]);
    expect(report.modified).toEqual([]);

    const history = await rowsOn(place, 'SELECT version, success, execution_time FROM _strata_migrations ORDER BY version');
    expect(history.map((row) => String(row.version))).toEqual([v1, v2]);
    expect(history.every((row) => Number(row.execution_time) === 0)).toBe(true);
    const audit = await rowsOn(place, 'SELECT version, resolution FROM _strata_migrations_resolutions ORDER BY version');
    expect(audit.map((row) => [String(row.version), row.resolution])).toEqual([
      [v1, `imported from ${tool}`],
      [v2, `imported from ${tool}`],
    ]);
    expect(await rowsOn(place, `SELECT * FROM ${foreignTable}`)).toEqual(foreignBefore);

    // Run again: nothing new is recorded, and what is there is said to be there.
    const again = await migrator.importHistory({ from: tool });
    expect(again.recorded).toEqual([]);
    expect(again.alreadyApplied.map(String)).toEqual([v1, v2]);

    // users and posts exist already: re-running either would fail with "already exists".
    const run = await migrator.run();
    expect(run.applied.map((step) => String(step.version))).toEqual([v3]);
    expect((await migrator.status()).map((s) => s.state)).toEqual(['applied', 'applied', 'applied']);
    const tags = await rowsOn(place, 'SELECT COUNT(*) AS n FROM tags');
    expect(Number(tags[0]!.n)).toBe(0);
  });
});
