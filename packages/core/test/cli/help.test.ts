import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type Project } from './helpers/project.js';
import { jsonOf, strata } from './helpers/strata.js';

const GLOBAL = [
  '-D, --database-url URL',
  '--no-dotenv',
  '--config FILE',
  '--source DIR',
  '--table NAME',
  '--schema NAME',
  '--lock-timeout SECONDS',
  '--connect-timeout SECONDS',
  '--json',
  '--verbose',
  '--help',
];

/** Every option of every command the issue names, as `strata <command> --help` must list it. */
const COMMAND_OPTIONS: Record<string, string[]> = {
  add: ['-r, --reversible', '-s, --sequential', '-t, --timestamp', '--layout sqlx|diesel', '<name>'],
  run: [
    '--target-version V',
    '--dry-run',
    '--single-transaction',
    '--ignore-missing',
    '--allow-out-of-order',
    '--future ignore|error',
  ],
  revert: ['--target-version V', '--all', '-n, --number N', '--dry-run', '--single-transaction', '--ignore-missing'],
  pending: ['--exit-code'],
  redo: ['-n, --number N', '--all', '--target-version V', '--dry-run'],
  info: ['--exit-code', '--future ignore|error'],
  validate: ['--offline', '--ignore-missing', '--allow-out-of-order', '--future ignore|error'],
  resolve: ['<version>', '--applied', '--rolled-back'],
  database: ['create | drop | reset | setup', '-y, --yes', '--force'],
};

describe('help and version', () => {
  let project: Project;
  const run = (...args: string[]) => strata(args, { cwd: project.dir });
  beforeAll(async () => {
    project = await createProject();
  });
  afterAll(() => project.cleanup());

  it('strata --help lists every command and global option, and exits 0', async () => {
    const result = await run('--help');
    expect(result.code).toBe(0);
    for (const name of [
      'add',
      'run',
      'revert',
      'redo',
      'info (status)',
      'list',
      'pending',
      'validate',
      'resolve',
      'embed',
      'database',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`^  ${name.replace(/[()]/g, '\\$&')}\\s+\\S`, 'm'));
    }
    for (const option of [...GLOBAL, '--version']) expect(result.stdout).toContain(option);
  });

  it.each(Object.entries(COMMAND_OPTIONS))(
    'strata %s --help lists its options with a description each',
    async (name, options) => {
      const result = await run(name, '--help');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: strata ${name}`);
      const lines = result.stdout.split('\n').map((l) => l.trim());
      for (const option of [...options, ...GLOBAL]) {
        if (option.includes(' | ')) {
          expect(result.stdout).toContain(option);
          continue;
        }
        // The option opens its own line (`-n, --number N` or `    --json`), and a description follows it.
        const line = lines.find((l) => l.startsWith(option) || l.replace(/^-\w, /, '').startsWith(option));
        expect(line, `${option} in:\n${result.stdout}`).toBeDefined();
        expect(line!.slice(line!.indexOf(option) + option.length).trim().length, line).toBeGreaterThan(5);
      }
    },
  );

  it('strata status --help is the help of info, its alias', async () => {
    const result = await run('status', '--help');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('strata info:');
    expect(result.stdout).toContain('--exit-code');
  });

  it('--version prints the version from package.json', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await run('--version');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`strata ${version}`);
    expect(jsonOf(await run('--version', '--json'))).toEqual({ version });
    expect((await run('-V')).stdout.trim()).toBe(`strata ${version}`);
  });

  it('no command prints the help on stderr and exits 2', async () => {
    const result = await run();
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage: strata <command>');
  });

  it('an unknown command exits 2 and suggests the closest one', async () => {
    const result = await run('rnu');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "rnu"');
    expect(result.stderr).toContain('did you mean `strata run`?');
  });

  it('an unknown option, or an option without its value, exits 2 naming it', async () => {
    const unknown = await run('run', '--frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown option --frobnicate');
    expect(unknown.stderr).toContain('strata run --help');

    const missing = await run('run', '--target-version');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('option --target-version needs a value');
  });

  it('global options work before the command as well as after it', async () => {
    const result = await run('--source', 'db/migrations', 'add', 'first');
    expect(result.code, result.stderr).toBe(0);
    expect(await project.list('db/migrations')).toEqual([expect.stringMatching(/^\d{14}_first\.sql$/)]);
  });

  it('a usage error with --json is a JSON document on stdout too', async () => {
    const result = await run('run', '--bogus', '--json');
    expect(result.code).toBe(2);
    expect(jsonOf(result)).toEqual({ error: { code: 'USAGE', message: 'unknown option --bogus', exitCode: 2 } });
  });
});
