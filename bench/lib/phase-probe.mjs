/**
 * Preloaded into a CLI's process (`node --import bench/lib/phase-probe.mjs bin ...`) to say where
 * its whole-process time goes without changing the CLI: when user code starts (node's own
 * start-up before that), when the CLI loads pg and how long that takes, each PostgreSQL connection
 * (pg's Client.connect), the reads of the migrations' files, the first and last query, and the
 * exit. Writes one JSON line to fd 3 when the bench opened it. Times are ms since the process
 * started. pg is not loaded here: the CLI loads it its own way, and the probe watches for it.
 */
import fs from 'node:fs';
import Module, { syncBuiltinESMExports } from 'node:module';
import { sep } from 'node:path';

const now = () => performance.now();
const marks = { userCode: now(), connects: [], queries: 0 };
const source = process.env.BENCH_PROBE_SOURCE;

// The source read proper: the migration files' contents (a directory listing alone is not it).
const original = fs.readFileSync;
fs.readFileSync = function probed(path, ...rest) {
  if (!source || !String(path).startsWith(source)) return original.call(this, path, ...rest);
  marks.sourceFirst ??= now();
  const value = original.call(this, path, ...rest);
  marks.sourceLast = now();
  return value;
};
syncBuiltinESMExports();

const PG = `${sep}node_modules${sep}pg`;
const load = Module._load;
Module._load = function probedLoad(request, parent, ...rest) {
  const inPg = parent?.filename?.includes(PG);
  if (inPg) marks.pgFirst ??= now();
  const exported = load.call(this, request, parent, ...rest);
  // pg requires a few modules lazily when it connects: its import is what it loads before the source read.
  if (inPg && marks.sourceFirst === undefined) marks.pgLoaded = now();
  if (request === './client' && parent?.filename?.endsWith(`${PG}${sep}lib${sep}index.js`)) probeClient(exported);
  return exported;
};

function probeClient(Client) {
  if (Client.prototype.__probed) return;
  Client.prototype.__probed = true;
  const connect = Client.prototype.connect;
  Client.prototype.connect = function probedConnect(...args) {
    const entry = { start: now() };
    marks.connects.push(entry);
    const result = connect.apply(this, args);
    if (result && typeof result.then === 'function') result.then(() => (entry.end = now())).catch(() => {});
    else this.once('connect', () => (entry.end = now()));
    return result;
  };
  const query = Client.prototype.query;
  Client.prototype.query = function probedQuery(...args) {
    marks.firstQuery ??= now();
    marks.queries += 1;
    const callback = args.at(-1);
    if (typeof callback === 'function') {
      args[args.length - 1] = function probedCallback(...results) {
        marks.lastQueryEnd = now();
        return callback.apply(this, results);
      };
    }
    const result = query.apply(this, args);
    if (result && typeof result.then === 'function') result.then(() => (marks.lastQueryEnd = now())).catch(() => {});
    return result;
  };
}

process.on('exit', () => {
  marks.exit = now();
  try {
    fs.writeSync(3, `${JSON.stringify(marks)}\n`);
  } catch {
    // fd 3 not open: nobody asked.
  }
});
