import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../../test-support/databases.js';
import { appliedVersions, runnableSnippets, runSnippets, SNIPPET_MIGRATIONS } from '../../../test-support/readme-snippets.js';

describe('packages/express/README.md', () => {
  it('its runnable snippets boot as written (PostgreSQL and SQLite), migrate, and answer /readyz with 200', async () => {
    const [onPostgres, onSqlite, ...others] = await runnableSnippets('packages/express/README.md');
    expect(others).toEqual([]);
    const database = await createPostgresDatabase('readme');
    try {
      const runs = [
        { snippet: onPostgres!, files: SNIPPET_MIGRATIONS, env: { DATABASE_URL: database.url } },
        // The README's file lives in data/: the directory is the app's, as it would be in a checkout.
        { snippet: onSqlite!, files: { ...SNIPPET_MIGRATIONS, 'data/.keep': '' }, env: {} },
      ];
      await runSnippets(runs, async ([pgRun, sqliteRun]) => {
        expect(pgRun, pgRun?.error).toMatchObject({ ok: true, readyz: [200] });
        expect(sqliteRun, sqliteRun?.error).toMatchObject({ ok: true, readyz: [200] });
        const file = new Database(join(sqliteRun!.dir, 'data/app.db'), { readonly: true });
        try {
          expect(file.prepare('SELECT version FROM _strata_migrations').pluck().all()).toEqual([1]);
        } finally {
          file.close();
        }
      });
      expect(await appliedVersions(database.url)).toEqual(['1']);
    } finally {
      await database.drop();
    }
  });
});
