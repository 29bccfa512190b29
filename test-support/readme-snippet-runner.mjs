/**
 * Runs README snippets in one process, one after the other: `node readme-snippet-runner.mjs
 * <manifest.json>`. Each snippet runs in its own directory (its `./migrations` beside it) with its
 * own environment. A server a snippet starts listens on a free port instead of the one written in
 * the README (other processes on the machine may hold it); once the snippet has run, each such
 * server is asked for /readyz and closed. Prints one JSON line: what each snippet did.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { pathToFileURL } from 'node:url';

const manifest = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const started = [];
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number') args[0] = 0;
  started.push(this);
  return listen.apply(this, args);
};

const results = [];
for (const snippet of manifest) {
  process.chdir(snippet.dir);
  Object.assign(process.env, snippet.env);
  started.length = 0;
  const result = { name: snippet.name, ok: true, readyz: [] };
  try {
    await import(pathToFileURL(snippet.file).href);
    for (const server of started) {
      if (!server.listening) await once(server, 'listening');
      const { port } = server.address();
      result.readyz.push((await fetch(`http://127.0.0.1:${port}/readyz`)).status);
    }
  } catch (error) {
    result.ok = false;
    result.error = error instanceof Error ? (error.stack ?? error.message) : String(error);
  }
  for (const server of started) {
    server.closeAllConnections?.();
    server.close();
  }
  results.push(result);
}
process.stdout.write(`${JSON.stringify(results)}\n`);
// Pools a snippet leaves open (as an app would) must not keep the process alive.
process.exit(0);
