/**
 * --direct-url / DIRECT_URL: the CLI migrates over a direct connection when one is given, even
 * where DATABASE_URL names the app's pooled (here: read-only) connection.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type TestDatabase, testDatabase } from './helpers/databases.js';
import { createProject, type Project } from './helpers/project.js';
import { strata } from './helpers/strata.js';

const ONE = { 'migrations/0001_create_users.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n' };

describe('strata and a direct URL on PostgreSQL', () => {
  let project: Project;
  let db: TestDatabase;
  /** What the app's pooler would give: connections that cannot write. */
  let pooled: string;

  beforeEach(async () => {
    project = await createProject(ONE);
    db = await testDatabase('postgres', project.dir);
    pooled = `${db.url}${db.url.includes('?') ? '&' : '?'}options=${encodeURIComponent('-c default_transaction_read_only=on')}`;
  });
  afterEach(async () => {
    await db.drop();
    await project.cleanup();
  });

  it('DIRECT_URL wins over DATABASE_URL: the run goes the direct way', async () => {
    const refused = await strata(['run'], { cwd: project.dir, env: { DATABASE_URL: pooled } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('HISTORY_UNWRITABLE');
    const result = await strata(['run'], { cwd: project.dir, env: { DATABASE_URL: pooled, DIRECT_URL: db.url } });
    expect(result.code, result.stderr).toBe(0);
    expect(await db.appliedVersions()).toEqual(['1']);
    expect(await db.tableExists('users')).toBe(true);
  });

  it('--direct-url wins over --database-url', async () => {
    const result = await strata(['run', '--database-url', pooled, '--direct-url', db.url], { cwd: project.dir });
    expect(result.code, result.stderr).toBe(0);
    expect(await db.appliedVersions()).toEqual(['1']);
  });
});
