#!/usr/bin/env node
// The `strata` command. It is a file of its own, present before any build, because npm links a
// package's bin only if the file exists at install time: in this repository dist/ is built after
// `npm ci`, and a bin pointing into dist/ would leave node_modules/.bin/strata missing.
import module from 'node:module';

// Node 22.1+ keeps the compiled code of the modules a command loads on disk, so the next start
// skips compiling them (a no-op `strata run` is mostly start-up). Older Nodes lack the function.
// NODE_DISABLE_COMPILE_CACHE=1 turns it off; a cache that cannot be written is skipped silently.
module.enableCompileCache?.();
await import('../dist/cli/main.js');
