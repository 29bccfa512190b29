import { createServer } from 'node:http';
import { type EmbeddedMigrations, type Logger, Migrator } from '@strata/core';
import { openDatabase } from './database.js';

/** Logs go to stderr; stdout carries one JSON line per event, which the example's test reads. */
const logger: Logger = {
  info: (message) => console.error(`[strata] ${message}`),
  warn: (message) => console.error(`[strata] warning: ${message}`),
  error: (message) => console.error(`[strata] error: ${message}`),
};

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

/** Migrates, then listens: the server never answers a request against an old schema. */
export async function start(migrations: EmbeddedMigrations): Promise<void> {
  const db = await openDatabase(process.env.DATABASE_URL ?? 'sqlite:app.db');
  const migrator = new Migrator({ db: db.handle, migrations, logger });
  const report = await migrator.run();
  emit({
    event: 'migrated',
    database: db.kind,
    digest: migrations.digest,
    applied: report.applied.map((step) => String(step.version)),
    lockTaken: report.lockTaken,
  });

  const server = createServer((request, response) => {
    const reply = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.url === '/notes') {
      db.rows('SELECT n.id, u.name AS author, n.body FROM notes n JOIN users u ON u.id = n.user_id ORDER BY n.id').then(
        (rows) => reply(200, rows),
        (error: Error) => reply(500, { error: error.message }),
      );
    } else if (request.url === '/migrations') {
      migrator.status().then(
        (statuses) =>
          reply(
            200,
            statuses.map((status) => ({ version: String(status.version), state: status.state })),
          ),
        (error: Error) => reply(500, { error: error.message }),
      );
    } else {
      reply(404, { error: 'not found' });
    }
  });
  server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
    const address = server.address();
    emit({ event: 'listening', port: typeof address === 'object' && address ? address.port : undefined });
  });

  const stop = () => {
    server.close(() => {
      db.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
