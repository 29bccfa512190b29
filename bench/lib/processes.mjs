import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const WORKER = join(BENCH_DIR, 'worker.mjs');
const GNU_TIME = '/usr/bin/time';

/** GNU time reports a child's peak RSS; only native binaries need it (node workers report their own). */
export const canMeasureNativeRss = existsSync(GNU_TIME);

/**
 * Runs a command to completion and times it from spawn to exit. With `rss`, the command runs
 * under GNU time and the peak resident set size (KiB) is read from its report.
 */
export function runProcess(command, args, { env = {}, rss = false, timeoutMs = 120_000 } = {}) {
  const [file, argv] = rss ? [GNU_TIME, ['-f', 'BENCH_MAXRSS_KB=%M', command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: BENCH_DIR });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      const match = /BENCH_MAXRSS_KB=(\d+)/.exec(stderr);
      resolve({ code, signal, wallMs, stdout, stderr, maxRssKb: match ? Number(match[1]) : undefined });
    });
  });
}

/** Runs the bench's minimal script for one tool (import, connect, migrate, close) in its own process. */
export async function runWorkerOnce(job) {
  const result = await runProcess(process.execPath, [WORKER, 'once', JSON.stringify(job)]);
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  let report;
  try {
    report = JSON.parse(line);
  } catch {
    report = { ok: false, error: `worker exited ${result.code}: ${(result.stderr || result.stdout).trim().slice(0, 500)}` };
  }
  return { ...report, wallMs: result.wallMs };
}

/** A worker kept alive over IPC for the contention workload, so process start-up is not what is measured. */
export function startServingWorker(tool) {
  const child = spawn(process.execPath, [WORKER, 'serve', tool], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], cwd: BENCH_DIR });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const waiters = [];
  child.on('message', (message) => {
    const index = waiters.findIndex((waiter) => waiter.type === message.type);
    if (index >= 0) waiters.splice(index, 1)[0].resolve(message);
  });
  child.on('exit', (code) => {
    for (const waiter of waiters.splice(0)) waiter.reject(new Error(`worker exited ${code}: ${stderr.trim().slice(0, 500)}`));
  });
  const next = (type) =>
    new Promise((resolve, reject) => {
      waiters.push({ type, resolve, reject });
    });
  return {
    child,
    loaded: next('loaded'),
    next,
    send: (message) => child.send(message),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', resolve);
        child.send({ type: 'exit' });
      }),
  };
}
