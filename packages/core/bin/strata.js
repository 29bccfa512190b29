#!/usr/bin/env node
// The `strata` command. It is a file of its own, present before any build, because npm links a
// package's bin only if the file exists at install time: in this repository dist/ is built after
// `npm ci`, and a bin pointing into dist/ would leave node_modules/.bin/strata missing.
import '../dist/cli/main.js';
