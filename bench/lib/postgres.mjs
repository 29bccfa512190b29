import pg from 'pg';

/** The server the bench creates its databases on; it must allow CREATE DATABASE. */
export function adminUrl() {
  return (
    process.env.STRATA_BENCH_PG_URL ??
    process.env.STRATA_TEST_PG_URL ??
    (/^postgres(ql)?:/.test(process.env.DATABASE_URL ?? '') ? process.env.DATABASE_URL : undefined) ??
    'postgres://postgres@127.0.0.1:5432/postgres'
  );
}

export function urlFor(database) {
  const url = new URL(adminUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

export function redact(url) {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

async function withAdmin(fn) {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Every bench database name starts with this and the bench's pid, so stale ones can be told apart. */
export const PREFIX = 'sbench';

let counter = 0;
export function databaseName(tag) {
  counter += 1;
  const clean = tag
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  return `${PREFIX}${process.pid}_${counter}_${clean}`;
}

/** Creates an empty database; `settings` become its defaults (ALTER DATABASE ... SET). */
export async function createDatabase(name, settings = {}) {
  await withAdmin(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}" TEMPLATE template0`);
    for (const [key, value] of Object.entries(settings)) {
      await client.query(`ALTER DATABASE "${name}" SET ${key} = '${value}'`);
    }
  });
  return urlFor(name);
}

export async function dropDatabase(name) {
  await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Drops databases left behind by bench processes that no longer run (a crash, a Ctrl-C). */
export async function dropStaleDatabases() {
  await withAdmin(async (client) => {
    const { rows } = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${PREFIX}%`]);
    for (const { datname } of rows) {
      const pid = Number(/^sbench(\d+)_/.exec(datname)?.[1]);
      if (pid && pid !== process.pid && isAlive(pid)) continue;
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  });
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function serverVersion() {
  return withAdmin(async (client) => (await client.query('SHOW server_version')).rows[0].server_version);
}

/** Runs one query against a bench database and returns its rows. */
export async function queryRows(url, text) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}
