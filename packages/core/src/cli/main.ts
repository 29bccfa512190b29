#!/usr/bin/env node
import { runCli } from './cli.js';

process.on('SIGINT', () => {
  // Leave the terminal tidy if a live status line was drawn; 130 is the shell's code for Ctrl-C.
  if (process.stderr.isTTY) process.stderr.write('\r\u001b[2K');
  process.exit(130);
});

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
}).then((code) => {
  process.exitCode = code;
});
