import { describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../../../test-support/databases.js';
import { appliedVersions, runnableSnippets, runSnippets, SNIPPET_MIGRATIONS } from '../../../../test-support/readme-snippets.js';

describe('packages/core/README.md', () => {
  it('its runnable snippets run as written against the built package and a real database', async () => {
    const snippets = await runnableSnippets('packages/core/README.md');
    expect(snippets.map((s) => s.name)).toEqual(['packages/core/README.md:17']);
    const databases = await Promise.all(snippets.map(() => createPostgresDatabase('readme')));
    try {
      const runs = snippets.map((snippet, i) => ({
        snippet,
        files: SNIPPET_MIGRATIONS,
        env: { DATABASE_URL: databases[i]!.url },
      }));
      await runSnippets(runs, async (results) => {
        for (const result of results) expect(result, result.error).toMatchObject({ ok: true });
      });
      for (const database of databases) expect(await appliedVersions(database.url)).toEqual(['1']);
    } finally {
      await Promise.all(databases.map((database) => database.drop()));
    }
  });
});
