// strata example: an Express 5 app on PostgreSQL that migrates on boot. Safe to start many
// replicas at once (see README.md and k8s.yaml).
//   DATABASE_URL=postgres://user:pass@host:5432/app node src/server.mjs
// Environment: DATABASE_URL (required), PORT (3000), STRATA_MODE (run | wait | verify),
// STRATA_BACKGROUND=1 (listen at once, migrate behind the probes), STRATA_FUTURE (ignore | error:
// migrations newer than this build, after a rollback), DRAIN_DELAY_MS (0),
// PGAPPNAME (shows up as the migration lock's holder while an instance migrates), DIRECT_URL (a
// direct connection to migrate over when DATABASE_URL goes through PgBouncer in transaction mode).
import { migrateOnBoot } from '@strata/express';
import express from 'express';
import pg from 'pg';
import { prefixedLogger } from './logger.mjs';
import { routes } from './routes.mjs';

const log = prefixedLogger('[app]');
if (!process.env.DATABASE_URL) {
  log.error('DATABASE_URL is not set, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres');
  process.exit(1);
}
const port = Number(process.env.PORT ?? 3000);
const background = process.env.STRATA_BACKGROUND === '1';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 5_000 });
// An idle client losing its server emits 'error' on the pool; unheard, it would end the process.
// Readiness reports the outage instead, and the pool reconnects when the database is back.
pool.on('error', (error) => log.warn(`idle database connection lost: ${error.message}`));

let migrations;
try {
  migrations = await migrateOnBoot(pool, {
    migrations: new URL('../migrations/', import.meta.url),
    mode: process.env.STRATA_MODE ?? 'run',
    // After a rollback the database holds a newer release's migrations: 'ignore' (the default)
    // boots and names them in the probes, 'error' refuses to start.
    future: process.env.STRATA_FUTURE ?? 'ignore',
    // Behind PgBouncer in transaction mode the app's pool cannot hold a session lock: the runs take
    // their session over the direct URL while the app keeps the pooled one.
    ...(process.env.DIRECT_URL ? { directUrl: process.env.DIRECT_URL } : {}),
    background,
    logger: prefixedLogger('[strata]'),
    // Background mode: a failed migration leaves this instance unready. Exiting instead lets the
    // orchestrator restart it (and its logs show why); either way old replicas keep serving.
    onError: () => process.exit(1),
  });
} catch (error) {
  log.error(`cannot start: ${error.message}`);
  await pool.end();
  process.exit(1);
}

const app = express();
app.use(migrations);
app.use(express.json());
app.use(routes(pool));
app.use((error, _req, res, _next) => {
  log.error(`request failed: ${error.message}`);
  res.status(500).json({ error: 'internal error' });
});

const server = app.listen(port, () => {
  const { livez, readyz, healthz } = migrations.paths;
  log.info(`listening on http://localhost:${server.address().port} (probes: ${livez} ${readyz} ${healthz})`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, async () => {
    // Readiness turns 503 first, so endpoints drop this pod before the server stops accepting.
    await migrations.shutdown({ delay: Number(process.env.DRAIN_DELAY_MS ?? 0) });
    server.close(async () => {
      await pool.end();
      process.exit(0);
    });
  });
}
