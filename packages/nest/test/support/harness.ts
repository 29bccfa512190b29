import { join } from 'node:path';
/**
 * Helpers for the Nest tests: real databases (from the shared harness), real Nest apps listening on
 * real ports, and a logger that records what the engine said (to count attempts, not to mock).
 */
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from '@strata/core';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createPostgresDatabase, sqliteFile, tempDir, writeTree } from '../../../../test-support/databases.js';

export interface PostgresTestDb {
  url: string;
  name: string;
  pool: pg.Pool;
  rows<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export async function openPostgres(prefix = 'nest'): Promise<PostgresTestDb> {
  const database = await createPostgresDatabase(prefix);
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  // drop() terminates leftover sessions; an idle pooled client reports that as an 'error' event.
  pool.on('error', () => {});
  return {
    url: database.url,
    name: database.name,
    pool,
    async rows<T>(sql: string, params?: unknown[]) {
      return (await pool.query(sql, params)).rows as T[];
    },
    async close() {
      await pool.end().catch(() => {});
      await database.drop();
    },
  };
}

export interface SqliteTestDb {
  path: string;
  db: Database.Database;
  close(): Promise<void>;
}

export async function openSqlite(): Promise<SqliteTestDb> {
  const file = await sqliteFile();
  const db = new Database(file.path);
  return {
    path: file.path,
    db,
    async close() {
      if (db.open) db.close();
      await file.cleanup();
    },
  };
}

/** Writes migration files into a fresh temp dir; returns the migrations directory. */
export async function migrationsDir(files: Record<string, string>): Promise<{ path: string; cleanup(): Promise<void> }> {
  const dir = await tempDir('nest-migrations');
  await writeTree(dir.path, files);
  return dir;
}

/** Writes `files` to a temporary directory removed by `cleanups`; returns its migrations/ folder. */
export async function migrationsFolder(files: Record<string, string>, cleanups: (() => Promise<unknown>)[]): Promise<string> {
  const dir = await migrationsDir(files);
  cleanups.push(() => dir.cleanup());
  return join(dir.path, 'migrations');
}

export interface LogLine {
  level: 'info' | 'warn' | 'error' | 'debug';
  message: string;
  context: Record<string, unknown> | undefined;
  at: number;
}

export function recordingLogger(): Logger & { lines: LogLine[]; count(level: LogLine['level'], pattern?: RegExp): number } {
  const lines: LogLine[] = [];
  const push = (level: LogLine['level']) => (message: string, context?: Record<string, unknown>) => {
    lines.push({ level, message, context, at: Date.now() });
  };
  return {
    lines,
    info: push('info'),
    warn: push('warn'),
    error: push('error'),
    debug: push('debug'),
    count: (level, pattern) => lines.filter((line) => line.level === level && (!pattern || pattern.test(line.message))).length,
  };
}

export interface RunningApp {
  app: INestApplication;
  url: string;
  close(): Promise<void>;
}

export type AppModuleClass = Parameters<typeof NestFactory.create>[0];

/** Creates the app the way a main.ts does, but quiet and rejecting (not exiting) on failure. */
export function createApp(module: AppModuleClass): Promise<INestApplication> {
  return NestFactory.create(module, { logger: false, abortOnError: false });
}

/**
 * What creating the app rejects with, for tests of a failing boot (within `ms`, so a hang fails
 * readably). An app that is created after all is closed at once, and the answer is undefined.
 */
export async function creationError(module: AppModuleClass, ms = 20_000): Promise<unknown> {
  const created = createApp(module).then(
    async (app) => {
      await app.close();
      return undefined;
    },
    (error: unknown) => error,
  );
  return within(ms, created, 'create');
}

export async function startApp(module: AppModuleClass): Promise<RunningApp> {
  const app = await createApp(module);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, close: () => app.close() };
}

export interface HttpAnswer {
  status: number;
  contentType: string | null;
  body: unknown;
  text: string;
}

export async function get(url: string): Promise<HttpAnswer> {
  const response = await fetch(url);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, contentType: response.headers.get('content-type'), body, text };
}

/** Rejects when `promise` takes longer than `ms`, so a hang shows up as a readable failure. */
export function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
    }),
  ]);
}
