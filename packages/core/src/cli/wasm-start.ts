import v8 from 'node:v8';

/**
 * PostgreSQL's parser is 1.7 MB of WebAssembly. V8 compiles it at once with its baseline compiler
 * and then again, optimised, in the background, and the process does not exit until that second
 * compile ends: a second or more on a busy machine, for a command that parses a few hundred
 * statements (about 0.3 ms each with the baseline code). A CLI process lives for one command, so
 * the optimised tier is never worth waiting for. Set only by the CLI, which owns the process; the
 * library leaves V8's flags to the application.
 */
export function skipOptimisingWasm(): void {
  v8.setFlagsFromString('--liftoff-only');
}
