/**
 * A login role with a password, so a test's connection string really carries a password and the
 * test can scan every output for it. On a server with trust authentication the password is sent
 * and ignored; on one with password authentication it is checked. Either way the URL works, so
 * the same tests hold on the machine's server and on the embedded fallback.
 */
import { randomBytes } from 'node:crypto';
import { pgAdminUrl, withAdminClient } from './databases.js';

/** Distinctive enough that finding it anywhere in an output can only be a leak. */
export const LEAKABLE_PASSWORD = 'Sup3rS3cretPw';

export interface PasswordRole {
  role: string;
  password: string;
  /** A URL of a database on the test server, as this role with its password (percent-encoded). */
  urlFor(database: string): string;
  /** Creates a database owned by this role (so it may create tables and drop it) and returns its URL and name. */
  createDatabase(prefix?: string): Promise<{ url: string; name: string }>;
  /** A fresh name for a database that does not exist yet (for `strata database create`). */
  freshName(prefix?: string): string;
  /** Drops every database the role owns, then the role. */
  drop(): Promise<void>;
}

export async function createPasswordRole(password = LEAKABLE_PASSWORD): Promise<PasswordRole> {
  const role = `strata_test_pw_${randomBytes(5).toString('hex')}`;
  await withAdminClient(async (client) => {
    // The password is a literal here (CREATE ROLE takes no parameters); escapeLiteral quotes it.
    await client.query(`CREATE ROLE ${client.escapeIdentifier(role)} LOGIN CREATEDB PASSWORD ${client.escapeLiteral(password)}`);
  });
  const urlFor = (database: string): string => {
    const url = new URL(pgAdminUrl());
    url.username = role;
    url.password = encodeURIComponent(password);
    url.pathname = `/${encodeURIComponent(database)}`;
    return url.toString();
  };
  const freshName = (prefix = 'pw') =>
    `strata_test_${prefix
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_')
      .slice(0, 20)}_${randomBytes(5).toString('hex')}`;
  return {
    role,
    password,
    urlFor,
    freshName,
    async createDatabase(prefix = 'pw') {
      const name = freshName(prefix);
      await withAdminClient((client) =>
        client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} OWNER ${client.escapeIdentifier(role)}`),
      );
      return { url: urlFor(name), name };
    },
    async drop() {
      await withAdminClient(async (client) => {
        const { rows } = await client.query<{ datname: string }>(
          'SELECT datname FROM pg_database WHERE datdba = (SELECT oid FROM pg_roles WHERE rolname = $1)',
          [role],
        );
        const version = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
        // WITH (FORCE) (PG 13+) also stops clients that reconnect between the terminate and the drop.
        const force = Number(version.rows[0]?.v) >= 130000 ? ' WITH (FORCE)' : '';
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1', [role]);
        for (const { datname } of rows) {
          await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)}${force}`);
        }
        await client.query(`DROP ROLE IF EXISTS ${client.escapeIdentifier(role)}`);
      });
    },
  };
}
