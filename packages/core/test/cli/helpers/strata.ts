import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type SpawnNodeResult, spawnNode } from '../../../../../test-support/databases.js';

/** The built CLI: tests run the real binary as a child process, never the sources. */
export const STRATA_MAIN = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));

export interface StrataRun {
  cwd: string;
  /** Merged over a cleaned environment; DATABASE_URL, NO_COLOR and NODE_PATH are unset unless given here. */
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  /** Run another copy of main.js (the missing-driver tests use a copy with no node_modules around it). */
  main?: string;
}

export type StrataResult = SpawnNodeResult;

function requireBuilt(main: string): void {
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npm run build)`);
}

function cleanEnv(env: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    DATABASE_URL: undefined,
    NO_COLOR: undefined,
    FORCE_COLOR: undefined,
    NODE_PATH: undefined,
    TERM: 'xterm-256color',
    ...env,
  };
}

/** `strata <args>` with stdin, stdout and stderr as pipes (so: no TTY). */
export function strata(args: string[], options: StrataRun): Promise<StrataResult> {
  const main = options.main ?? STRATA_MAIN;
  requireBuilt(main);
  return spawnNode([main, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    timeoutMs: options.timeoutMs ?? 30_000,
    ...(options.input !== undefined ? { input: options.input } : {}),
  });
}

export interface TerminalResult {
  code: number | null;
  /** stdout and stderr as the terminal showed them, escape codes included. */
  output: string;
}

/**
 * `strata <args>` on a pseudo-terminal, through util-linux `script`, so stdin, stdout and stderr
 * are all TTYs: the honest way to see colours, live status lines and confirmation prompts.
 */
export function strataInTerminal(args: string[], options: StrataRun): Promise<TerminalResult> {
  requireBuilt(STRATA_MAIN);
  const command = [process.execPath, STRATA_MAIN, ...args].map(shellQuote).join(' ');
  const env: Record<string, string | undefined> = { ...process.env, ...cleanEnv(options.env) };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: options.cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: Buffer.concat(chunks).toString('utf8') });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The JSON document a `--json` run printed on stdout; fails the test with the output when it is not one. */
export function jsonOf<T = Record<string, unknown>>(result: StrataResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${result.code}):\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
  }
}

/** Both streams, for assertions that do not care which one a line went to; shown in failures. */
export function allOutput(result: StrataResult): string {
  return `${result.stdout}\n${result.stderr}`;
}
