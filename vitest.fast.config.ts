/**
 * The fast tier (`npm run test:fast`): the inner loop while developing, under about 90 s here. The
 * root config's setup and servers, but only the tests listed below: the parsers, rules and
 * renderers that need no database or a quick one, the package's shape and its READMEs' snippets,
 * one probe and one snippet test per framework, and the smoke test that every command loads.
 * Everything else — the engine against real servers, faults, the CLI end to end, fleets, adoption,
 * schema and reversibility on shadow databases, the examples — runs in `npm test`
 * (vitest.config.ts), which runs these too. A new test file belongs to the full run only until it
 * is added here; add it only if it keeps this tier fast.
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

const FAST_TIER = [
  // Splitting, positions, directives, transaction restrictions, lint rules: text in, answers out.
  'packages/core/test/sql/**/*.test.ts',
  'packages/core/test/lint/**/*.test.ts',
  'packages/core/test/boot/**/*.test.ts',
  'packages/core/test/embed/{module-text,esbuild-plugin,vite-plugin}.test.ts',
  'packages/core/test/engine/{directory-source,near-misses,checksum-and-lock-key,lock-guard}.test.ts',
  'packages/core/test/faults/{name-parsers.property,sqlite-run-guards,unreadable-file}.test.ts',
  // The package as users get it: public API, import graph, README links and runnable snippets.
  'packages/core/test/package/**/*.test.ts',
  'packages/core/test/fleet/fleet-sqlite.test.ts',
  'packages/core/test/mysql/mysql-specifics.test.ts',
  'packages/core/test/schema/examples.test.ts',
  'packages/core/test/cli/help.test.ts',
  // strata studio's server, token guard and JSON API on SQLite (the browser tests run in the full run).
  'packages/core/test/studio/{server,open-browser}.test.ts',
  'packages/express/test/{router,probe-bodies,probes-agree,readme-snippets}.test.ts',
  'packages/nest/test/{no-decorator-metadata,probes-agree,readme-snippets}.test.ts',
  'test-support/**/*.test.ts',
];

// Spread, not mergeConfig: that would append this list to the root config's includes.
export default defineConfig({ ...base, test: { ...base.test, include: FAST_TIER } });
