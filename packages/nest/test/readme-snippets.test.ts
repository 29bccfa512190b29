import { describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../../test-support/databases.js';
import { appliedVersions, runnableSnippets, runSnippets, SNIPPET_MIGRATIONS } from '../../../test-support/readme-snippets.js';

describe('packages/nest/README.md', () => {
  it('its runnable snippet boots the module as written, migrates, and answers /readyz with 200', async () => {
    const snippets = await runnableSnippets('packages/nest/README.md');
    expect(snippets).toHaveLength(1);
    const database = await createPostgresDatabase('readme');
    try {
      await runSnippets(
        [{ snippet: snippets[0]!, files: SNIPPET_MIGRATIONS, env: { DATABASE_URL: database.url } }],
        async ([run]) => {
          expect(run, run?.error).toMatchObject({ ok: true, readyz: [200] });
        },
      );
      expect(await appliedVersions(database.url)).toEqual(['1']);
    } finally {
      await database.drop();
    }
  });
});
