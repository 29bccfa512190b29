// strata example: an Express 5 app on SQLite that migrates on boot, before it listens.
//   npm start                  (from the repository root: builds, then runs this)
//   PORT=8080 DATA_DIR=/tmp/x node src/server.mjs
import { mkdirSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrateOnBoot } from '@strata/express';
import Database from 'better-sqlite3';
import express from 'express';
import { prefixedLogger } from './logger.mjs';
import { routes } from './routes.mjs';

const port = Number(process.env.PORT ?? 3000);
const dataDir = process.env.DATA_DIR ?? fileURLToPath(new URL('../data/', import.meta.url));
const log = prefixedLogger('[app]');

mkdirSync(dataDir, { recursive: true });
const db = new Database(join(dataDir, 'app.db'));
db.pragma('journal_mode = WAL');
db.pragma('foreign_keys = ON');

// Migrations first: the promise settles once the schema is current, so nothing below ever sees
// an old schema. The router it resolves to serves /livez, /readyz and /healthz.
let migrations;
try {
  migrations = await migrateOnBoot(db, {
    migrations: new URL('../migrations/', import.meta.url),
    logger: prefixedLogger('[strata]'),
  });
} catch (error) {
  // A StrataError names the migration, its file and line; the stack adds nothing for an operator.
  log.error(`cannot start: ${error.message}`);
  process.exit(1);
}

const app = express();
app.use(migrations);
app.use(express.json());
app.use(routes(db));
app.use((error, _req, res, _next) => {
  // The client's mistake (malformed JSON, a body too large: body-parser sets a 4xx status) is a
  // problem document (RFC 9457) saying what was wrong; anything else is ours, logged, and opaque.
  const status = Number.isInteger(error.status) && error.status >= 400 && error.status < 500 ? error.status : 500;
  if (status === 500) log.error(`request failed: ${error.message}`);
  const detail = error.type === 'entity.parse.failed' ? 'the request body is not valid JSON' : error.message;
  res
    .status(status)
    .type('application/problem+json')
    .json({ type: 'about:blank', title: STATUS_CODES[status], status, ...(status < 500 ? { detail } : {}) });
});

const server = app.listen(port, () => {
  const { livez, readyz, healthz } = migrations.paths;
  log.info(`listening on http://localhost:${server.address().port} (probes: ${livez} ${readyz} ${healthz}; data: ${dataDir})`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, async () => {
    // Readiness turns 503 first, so a load balancer stops sending traffic, then the server closes.
    await migrations.shutdown({ delay: Number(process.env.DRAIN_DELAY_MS ?? 0) });
    server.close(() => {
      db.close();
      process.exit(0);
    });
  });
}
