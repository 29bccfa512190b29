/**
 * Another tool's history, made by that tool wherever it installs from npm (knex, node-pg-migrate,
 * TypeORM, drizzle-orm, dbmate's binary), and otherwise with the very DDL the tool runs (Prisma,
 * Diesel, Flyway, golang-migrate, SQLx: cited at each). Each applies two migrations, `users` and
 * `posts`; strata's source then adds `tags`, so an import followed by a run must apply only that.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import pg from 'pg';
import type { ToolName } from '../../../src/index.js';
import { Migrator } from '../../../src/index.js';

export type Kind = 'postgres' | 'sqlite' | 'mysql';

/** Where the tool works: the project directory and one database. */
export interface Place {
  kind: Kind;
  dir: string;
  /** PostgreSQL URL, MySQL URL, or the SQLite file's path. */
  pgUrl?: string;
  mysqlUrl?: string;
  sqlitePath?: string;
}

export const USERS = 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n';
export const POSTS = 'CREATE TABLE posts (id INTEGER PRIMARY KEY);\n';
export const TAGS = 'CREATE TABLE tags (id INTEGER PRIMARY KEY);\n';

export interface ForeignFixture {
  tool: ToolName;
  kinds: readonly Kind[];
  /** The migrations directory strata reads, relative to the project. */
  source: string;
  /** strata's files for the two migrations the tool applied (re-expressed where the tool's are not SQL). */
  strataFiles: Record<string, string>;
  /** True when the guide's commands make strataFiles from the tool's files; false when a person writes them. */
  guideConverts: boolean;
  /** The next migration, in strata's layout: pending after the import. */
  next: { file: string; content: string };
  /** strata's versions for users, posts, tags. */
  versions: readonly [string, string, string];
  /** Runs the tool (or its DDL) so the database holds users, posts and the tool's history of them. */
  create(place: Place): Promise<void>;
}

const require = createRequire(import.meta.url);

async function write(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/** Raw SQL on the place's database, one statement at a time, for the tools whose DDL we replay. */
export async function execOn(place: Place, statements: readonly string[], params: unknown[][] = []): Promise<void> {
  if (place.kind === 'sqlite') {
    const db = new Database(place.sqlitePath!);
    try {
      statements.forEach((sql, index) => {
        db.prepare(sql).run(...(params[index] ?? []));
      });
    } finally {
      db.close();
    }
    return;
  }
  if (place.kind === 'mysql') {
    const connection = await mysql.createConnection({ uri: place.mysqlUrl! });
    try {
      for (const [index, sql] of statements.entries()) await connection.query(sql, params[index] ?? []);
    } finally {
      await connection.end();
    }
    return;
  }
  const client = new pg.Client({ connectionString: place.pgUrl });
  await client.connect();
  try {
    for (const [index, sql] of statements.entries()) await client.query(sql, params[index] ?? []);
  } finally {
    await client.end();
  }
}

/** Rows of a query on the place's database, values as strings where the drivers differ. */
export async function rowsOn(place: Place, sql: string): Promise<Record<string, unknown>[]> {
  if (place.kind === 'sqlite') {
    const db = new Database(place.sqlitePath!, { readonly: true });
    try {
      return db.prepare(sql).all() as Record<string, unknown>[];
    } finally {
      db.close();
    }
  }
  if (place.kind === 'mysql') {
    const connection = await mysql.createConnection({ uri: place.mysqlUrl!, supportBigNumbers: true, bigNumberStrings: true });
    try {
      return (await connection.query(sql))[0] as Record<string, unknown>[];
    } finally {
      await connection.end();
    }
  }
  const client = new pg.Client({ connectionString: place.pgUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

function knexConnection(place: Place) {
  if (place.kind === 'mysql') return { client: 'mysql2', connection: place.mysqlUrl! };
  return place.kind === 'sqlite'
    ? { client: 'better-sqlite3', connection: { filename: place.sqlitePath! }, useNullAsDefault: true }
    : { client: 'pg', connection: place.pgUrl! };
}

const knexFile = (sql: string) => `exports.up = (knex) => knex.raw(${JSON.stringify(sql.trim())});\nexports.down = () => {};\n`;

const knexFixture: ForeignFixture = {
  tool: 'knex',
  kinds: ['postgres', 'sqlite', 'mysql'],
  source: 'migrations',
  strataFiles: { 'migrations/20260601000001_users.sql': USERS, 'migrations/20260601000002_posts.sql': POSTS },
  guideConverts: false,
  next: { file: 'migrations/20260601000003_tags.sql', content: TAGS },
  versions: ['20260601000001', '20260601000002', '20260601000003'],
  async create(place) {
    await write(place.dir, {
      'knex/20260601000001_users.js': knexFile(USERS),
      'knex/20260601000002_posts.js': knexFile(POSTS),
    });
    const { default: knex } = await import('knex');
    const db = knex(knexConnection(place));
    try {
      await db.migrate.latest({ directory: join(place.dir, 'knex') });
    } finally {
      await db.destroy();
    }
  },
};

const nodePgMigrateFixture: ForeignFixture = {
  tool: 'node-pg-migrate',
  kinds: ['postgres'],
  source: 'migrations',
  strataFiles: { 'migrations/1717171717001_users.sql': USERS, 'migrations/1717171717002_posts.sql': POSTS },
  guideConverts: false,
  next: { file: 'migrations/1717171717003_tags.sql', content: TAGS },
  versions: ['1717171717001', '1717171717002', '1717171717003'],
  async create(place) {
    const file = (sql: string) => `exports.up = (pgm) => { pgm.sql(${JSON.stringify(sql.trim())}); };\n`;
    await write(place.dir, {
      'node-pg-migrate/1717171717001_users.js': file(USERS),
      'node-pg-migrate/1717171717002_posts.js': file(POSTS),
    });
    const { runner } = await import('node-pg-migrate');
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    await runner({
      databaseUrl: place.pgUrl!,
      dir: join(place.dir, 'node-pg-migrate'),
      direction: 'up',
      migrationsTable: 'pgmigrations',
      logger: quiet,
    });
  },
};

const typeormFixture: ForeignFixture = {
  tool: 'typeorm',
  kinds: ['postgres', 'sqlite'],
  source: 'migrations',
  strataFiles: { 'migrations/1717171717001_users.sql': USERS, 'migrations/1717171717002_posts.sql': POSTS },
  guideConverts: false,
  next: { file: 'migrations/1717171717003_tags.sql', content: TAGS },
  versions: ['1717171717001', '1717171717002', '1717171717003'],
  async create(place) {
    const { DataSource } = await import('typeorm');
    type Runner = { query(sql: string): Promise<unknown> };
    // TypeORM takes the timestamp from the class name's last 13 digits, as its generator names them.
    class Users1717171717001 {
      async up(runner: Runner) {
        await runner.query(USERS);
      }
      async down() {}
    }
    class Posts1717171717002 {
      async up(runner: Runner) {
        await runner.query(POSTS);
      }
      async down() {}
    }
    const source = new DataSource({
      ...(place.kind === 'sqlite'
        ? { type: 'better-sqlite3' as const, database: place.sqlitePath! }
        : { type: 'postgres' as const, url: place.pgUrl! }),
      migrations: [Users1717171717001, Posts1717171717002],
      logging: false,
    });
    await source.initialize();
    try {
      await source.runMigrations();
    } finally {
      await source.destroy();
    }
  },
};

/** drizzle-kit's output for two migrations: the SQL files and the journal its migrator reads. */
function drizzleFolder(): Record<string, string> {
  const entries = ['0000_users', '0001_posts'].map((tag, idx) => ({
    idx,
    version: '7',
    when: 1780000000000 + idx,
    tag,
    breakpoints: true,
  }));
  return {
    'drizzle/0000_users.sql': USERS,
    'drizzle/0001_posts.sql': POSTS,
    'drizzle/meta/_journal.json': `${JSON.stringify({ version: '7', dialect: 'postgresql', entries }, null, 2)}\n`,
  };
}

const drizzleFixture: ForeignFixture = {
  tool: 'drizzle',
  kinds: ['postgres', 'sqlite'],
  source: 'drizzle',
  // strata reads drizzle's folder as it is: 0000_users.sql is version 0, and meta/ is not a migration.
  strataFiles: { 'drizzle/0000_users.sql': USERS, 'drizzle/0001_posts.sql': POSTS },
  guideConverts: true,
  next: { file: 'drizzle/0002_tags.sql', content: TAGS },
  versions: ['0', '1', '2'],
  async create(place) {
    await write(place.dir, drizzleFolder());
    const migrationsFolder = join(place.dir, 'drizzle');
    if (place.kind === 'sqlite') {
      const { drizzle } = await import('drizzle-orm/better-sqlite3');
      const { migrate } = await import('drizzle-orm/better-sqlite3/migrator');
      const sqlite = new Database(place.sqlitePath!);
      try {
        migrate(drizzle(sqlite), { migrationsFolder });
      } finally {
        sqlite.close();
      }
      return;
    }
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const { migrate } = await import('drizzle-orm/node-postgres/migrator');
    const pool = new pg.Pool({ connectionString: place.pgUrl! });
    try {
      await migrate(drizzle(pool), { migrationsFolder });
    } finally {
      await pool.end();
    }
  },
};

/** dbmate's Go binary, shipped in the npm package's platform dependency. */
export function dbmateBinary(): string {
  const bin = join(dirname(require.resolve(`@dbmate/${process.platform}-${process.arch}/package.json`)), 'bin', 'dbmate');
  if (!existsSync(bin)) throw new Error(`dbmate's binary is missing at ${bin}: npm ci installs it`);
  return bin;
}

function dbmateUrl(place: Place): string {
  if (place.kind === 'sqlite') return `sqlite:${place.sqlitePath}`;
  const url = new URL(place.pgUrl!);
  url.searchParams.set('sslmode', 'disable');
  return url.toString();
}

function runProcess(command: string, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited ${code}: ${out}`))));
  });
}

const dbmateFile = (sql: string, table: string) => `-- migrate:up\n${sql}\n-- migrate:down\nDROP TABLE ${table};\n`;

const dbmateFixture: ForeignFixture = {
  tool: 'dbmate',
  kinds: ['postgres', 'sqlite'],
  source: 'migrations',
  strataFiles: {
    'migrations/20260601000001_users.up.sql': `${USERS}\n`,
    'migrations/20260601000001_users.down.sql': 'DROP TABLE users;\n',
    'migrations/20260601000002_posts.up.sql': `${POSTS}\n`,
    'migrations/20260601000002_posts.down.sql': 'DROP TABLE posts;\n',
  },
  guideConverts: true,
  next: { file: 'migrations/20260601000003_tags.up.sql', content: TAGS },
  versions: ['20260601000001', '20260601000002', '20260601000003'],
  async create(place) {
    await write(place.dir, {
      'db/migrations/20260601000001_users.sql': dbmateFile(USERS, 'users'),
      'db/migrations/20260601000002_posts.sql': dbmateFile(POSTS, 'posts'),
    });
    await runProcess(dbmateBinary(), ['--no-dump-schema', '--migrations-dir', join(place.dir, 'db/migrations'), 'migrate'], {
      DATABASE_URL: dbmateUrl(place),
    });
  },
};

/** Applies the two migrations' SQL, as the tool would have, beside its history rows. */
async function applySchema(place: Place): Promise<void> {
  await execOn(place, [USERS, POSTS]);
}

const prismaFixture: ForeignFixture = {
  tool: 'prisma',
  kinds: ['postgres', 'sqlite'],
  source: 'migrations',
  strataFiles: { 'migrations/20260601000001_users.sql': USERS, 'migrations/20260601000002_posts.sql': POSTS },
  guideConverts: true,
  next: { file: 'migrations/20260601000003_tags.sql', content: TAGS },
  versions: ['20260601000001', '20260601000002', '20260601000003'],
  async create(place) {
    await write(place.dir, {
      'prisma/migrations/20260601000001_users/migration.sql': USERS,
      'prisma/migrations/20260601000002_posts/migration.sql': POSTS,
      'prisma/migrations/migration_lock.toml': `provider = "${place.kind === 'sqlite' ? 'sqlite' : 'postgresql'}"\n`,
    });
    await applySchema(place);
    await execOn(place, [place.kind === 'sqlite' ? PRISMA_TABLE_SQLITE : PRISMA_TABLE_POSTGRES]);
    await insertPrismaRow(place, '20260601000001_users', USERS, 'finished');
    await insertPrismaRow(place, '20260601000002_posts', POSTS, 'finished');
  },
};

// prisma/prisma-engines, schema-engine/connectors/sql-schema-connector/src/flavour/postgres.rs,
// `create_migrations_table`: the table exactly as Prisma Migrate creates it.
const PRISMA_TABLE_POSTGRES = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
)`;

// prisma/prisma-engines, schema-engine/connectors/sql-schema-connector/src/flavour/sqlite.rs,
// `create_migrations_table`: the same table as Prisma Migrate creates it on SQLite.
const PRISMA_TABLE_SQLITE = `CREATE TABLE "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

/** A row as `prisma migrate deploy` writes it: checksum = SHA-256 (hex) of migration.sql. */
export async function insertPrismaRow(
  place: Place,
  name: string,
  sql: string,
  state: 'finished' | 'failed' | 'rolled-back',
): Promise<void> {
  const now = place.kind === 'sqlite' ? 'CURRENT_TIMESTAMP' : 'now()';
  // The parameters appear in order, so SQLite's positional `?` fit.
  const p = (n: number) => (place.kind === 'sqlite' ? '?' : `$${n}`);
  const finished = state === 'finished' ? now : 'NULL';
  const rolledBack = state === 'rolled-back' ? now : 'NULL';
  await execOn(
    place,
    [
      `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, rolled_back_at, applied_steps_count)
       VALUES (${p(1)}, ${p(2)}, ${finished}, ${p(3)}, ${rolledBack}, ${p(4)})`,
    ],
    [[crypto.randomUUID(), createHash('sha256').update(sql).digest('hex'), name, state === 'finished' ? 1 : 0]],
  );
}

const DIESEL_TABLE =
  // diesel-rs/diesel, diesel_migrations/src/migration/setup_migration_table.sql: the table exactly as Diesel creates it.
  `CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (
       version VARCHAR(50) PRIMARY KEY NOT NULL,
       run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
  )`;

const dieselFixture: ForeignFixture = {
  tool: 'diesel',
  kinds: ['postgres', 'sqlite'],
  source: 'migrations',
  strataFiles: {
    'migrations/2026-06-01-000001_users/up.sql': USERS,
    'migrations/2026-06-01-000001_users/down.sql': 'DROP TABLE users;\n',
    'migrations/2026-06-01-000002_posts/up.sql': POSTS,
    'migrations/2026-06-01-000002_posts/down.sql': 'DROP TABLE posts;\n',
  },
  guideConverts: true,
  next: { file: 'migrations/2026-06-01-000003_tags/up.sql', content: TAGS },
  versions: ['20260601000001', '20260601000002', '20260601000003'],
  async create(place) {
    await write(place.dir, this.strataFiles);
    await applySchema(place);
    // Diesel records the version as the directory's prefix with its separators removed.
    await execOn(
      place,
      [
        DIESEL_TABLE,
        'INSERT INTO __diesel_schema_migrations (version) VALUES (?)',
        'INSERT INTO __diesel_schema_migrations (version) VALUES (?)',
      ].map((sql) => placeholders(place, sql)),
      [[], ['20260601000001'], ['20260601000002']],
    );
  },
};

/** `?` for SQLite, `$1..` for PostgreSQL. */
export function placeholders(place: Place, sql: string): string {
  let n = 0;
  return place.kind === 'sqlite' ? sql : sql.replace(/\?/g, () => `$${++n}`);
}

const sqlxFixture: ForeignFixture = {
  tool: 'sqlx',
  kinds: ['postgres', 'sqlite', 'mysql'],
  source: 'migrations',
  strataFiles: { 'migrations/20260601000001_users.sql': USERS, 'migrations/20260601000002_posts.sql': POSTS },
  guideConverts: true,
  next: { file: 'migrations/20260601000003_tags.sql', content: TAGS },
  versions: ['20260601000001', '20260601000002', '20260601000003'],
  async create(place) {
    await write(place.dir, this.strataFiles);
    // SQLx's `_sqlx_migrations` is strata's own history format (DESIGN.md, History table): strata
    // pointed at that name writes exactly what sqlx-cli's `sqlx migrate run` writes.
    const handle =
      place.kind === 'sqlite'
        ? new Database(place.sqlitePath!)
        : place.kind === 'mysql'
          ? mysql.createPool({ uri: place.mysqlUrl! })
          : new pg.Pool({ connectionString: place.pgUrl! });
    try {
      await new Migrator({ db: handle, migrations: join(place.dir, 'migrations'), table: '_sqlx_migrations' }).run();
    } finally {
      if (handle instanceof Database) handle.close();
      else await handle.end();
    }
  },
};

/** flyway-core, database/{postgresql,sqlite}/createMetaDataTable.sql: the table exactly as Flyway creates it. */
export function flywayTable(kind: Kind): string[] {
  if (kind === 'sqlite') {
    return [
      `CREATE TABLE "main"."flyway_schema_history" (
          "installed_rank" INT NOT NULL PRIMARY KEY,
          "version" VARCHAR(50),
          "description" VARCHAR(200) NOT NULL,
          "type" VARCHAR(20) NOT NULL,
          "script" VARCHAR(1000) NOT NULL,
          "checksum" INT,
          "installed_by" VARCHAR(100) NOT NULL,
          "installed_on" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),
          "execution_time" INT NOT NULL,
          "success" BOOLEAN NOT NULL
      )`,
      `CREATE INDEX "main"."flyway_schema_history_s_idx" ON "flyway_schema_history" ("success")`,
    ];
  }
  return [
    `CREATE TABLE "public"."flyway_schema_history" (
        "installed_rank" INT NOT NULL,
        "version" VARCHAR(50),
        "description" VARCHAR(200) NOT NULL,
        "type" VARCHAR(20) NOT NULL,
        "script" VARCHAR(1000) NOT NULL,
        "checksum" INTEGER,
        "installed_by" VARCHAR(100) NOT NULL,
        "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
        "execution_time" INTEGER NOT NULL,
        "success" BOOLEAN NOT NULL
    )`,
    `ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank")`,
    `CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success")`,
  ];
}

/** A row as Flyway's JdbcTableSchemaHistory.doAddAppliedMigration writes it. */
export async function insertFlywayRow(
  place: Place,
  row: { rank: number; version: string | null; description: string; type?: string; script: string; success: boolean },
): Promise<void> {
  await execOn(
    place,
    [
      placeholders(
        place,
        'INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
    ],
    [
      [
        row.rank,
        row.version,
        row.description,
        row.type ?? 'SQL',
        row.script,
        123456,
        'postgres',
        5,
        place.kind === 'sqlite' ? (row.success ? 1 : 0) : row.success,
      ],
    ],
  );
}

const flywayFixture: ForeignFixture = {
  tool: 'flyway',
  kinds: ['postgres', 'sqlite'],
  source: 'migrations',
  strataFiles: { 'migrations/1_users.sql': USERS, 'migrations/2_posts.sql': POSTS },
  guideConverts: true,
  next: { file: 'migrations/3_tags.sql', content: TAGS },
  versions: ['1', '2', '3'],
  async create(place) {
    await write(place.dir, { 'sql/V1__users.sql': USERS, 'sql/V2__posts.sql': POSTS });
    await applySchema(place);
    await execOn(place, flywayTable(place.kind));
    await insertFlywayRow(place, { rank: 1, version: '1', description: 'users', script: 'V1__users.sql', success: true });
    await insertFlywayRow(place, { rank: 2, version: '2', description: 'posts', script: 'V2__posts.sql', success: true });
  },
};

/**
 * golang-migrate, database/postgres/postgres.go and database/sqlite3/sqlite3.go (ensureVersionTable):
 * the table exactly as it creates it; SetVersion keeps one row, the current version.
 */
export function golangMigrateTable(kind: Kind): string[] {
  return kind === 'sqlite'
    ? [
        'CREATE TABLE IF NOT EXISTS schema_migrations (version uint64,dirty bool)',
        'CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON schema_migrations (version)',
      ]
    : ['CREATE TABLE IF NOT EXISTS "public"."schema_migrations" (version bigint not null primary key, dirty boolean not null)'];
}

export async function setGolangMigrateVersion(place: Place, version: number, dirty: boolean): Promise<void> {
  await execOn(
    place,
    ['DELETE FROM schema_migrations', placeholders(place, 'INSERT INTO schema_migrations (version, dirty) VALUES (?, ?)')],
    [[], [version, place.kind === 'sqlite' ? (dirty ? 1 : 0) : dirty]],
  );
}

const golangMigrateFixture: ForeignFixture = {
  tool: 'golang-migrate',
  kinds: ['postgres', 'sqlite'],
  source: 'migrations',
  strataFiles: {
    'migrations/000001_users.up.sql': USERS,
    'migrations/000001_users.down.sql': 'DROP TABLE users;\n',
    'migrations/000002_posts.up.sql': POSTS,
    'migrations/000002_posts.down.sql': 'DROP TABLE posts;\n',
  },
  guideConverts: true,
  next: { file: 'migrations/000003_tags.up.sql', content: TAGS },
  versions: ['1', '2', '3'],
  async create(place) {
    await write(place.dir, this.strataFiles);
    await applySchema(place);
    await execOn(place, golangMigrateTable(place.kind));
    await setGolangMigrateVersion(place, 2, false);
  },
};

export const FIXTURES: Readonly<Record<ToolName, ForeignFixture>> = {
  knex: knexFixture,
  'node-pg-migrate': nodePgMigrateFixture,
  typeorm: typeormFixture,
  drizzle: drizzleFixture,
  dbmate: dbmateFixture,
  prisma: prismaFixture,
  diesel: dieselFixture,
  sqlx: sqlxFixture,
  flyway: flywayFixture,
  'golang-migrate': golangMigrateFixture,
};

/** Every (tool, database) pair a fixture supports. */
export const CASES = Object.values(FIXTURES).flatMap((fixture) => fixture.kinds.map((kind) => [fixture.tool, kind] as const));

export { readFile, write as writeFiles };
