/**
 * Issue 8, security: "No password from a connection string appears in any error, log line, CLI
 * output or probe body (tests scan all of them)" — the CLI's part. Every command that connects is
 * run with a URL whose password is distinctive, in text, --json and --verbose (engine log lines
 * and stack traces), against a working database, a failing migration, a database that echoes the
 * URL in its error, and a port nothing listens on; stdout and stderr are scanned each time.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPasswordRole, LEAKABLE_PASSWORD, type PasswordRole } from '../../../../test-support/password-role.js';
import { createProject, type Project, USERS_AND_POSTS } from './helpers/project.js';
import { allOutput, type StrataResult, strata } from './helpers/strata.js';

/** Both spellings a leak could take: as typed, and percent-encoded as it sits in the URL. */
function spellings(password: string): string[] {
  return [...new Set([password, encodeURIComponent(password)])];
}

function expectNoPassword(label: string, result: StrataResult, password: string): void {
  const output = allOutput(result);
  for (const secret of spellings(password)) {
    expect(output.includes(secret), `${label} printed ${JSON.stringify(secret)}:\n${output}`).toBe(false);
  }
}

let role: PasswordRole;
let project: Project;

beforeAll(async () => {
  role = await createPasswordRole();
});
afterAll(async () => {
  await role?.drop();
});
beforeEach(async () => {
  project = await createProject(USERS_AND_POSTS);
});
afterEach(async () => {
  await project.cleanup();
});

describe('the CLI never prints the password of its connection string', () => {
  it('against a working database: database create/setup/reset/drop, run, info, validate, revert, redo, in text, --json and --verbose', async () => {
    const name = role.freshName('cli_pw');
    const url = role.urlFor(name);
    const steps: [string[], number][] = [
      [['database', 'create'], 0],
      [['database', 'create', '--json', '--verbose'], 0],
      [['run', '--verbose'], 0],
      [['info'], 0],
      [['info', '--json'], 0],
      [['info', '--verbose'], 0],
      [['validate'], 0],
      [['validate', '--json', '--verbose'], 0],
      [['revert', '--verbose'], 0],
      [['redo', '--verbose'], 0],
      [['run', '--json'], 0],
      // Refused for want of -y: the refusal names the database and server.
      [['database', 'drop'], 2],
      [['database', 'reset', '--json'], 2],
      [['database', 'reset', '-y', '--verbose'], 0],
      [['database', 'drop', '-y'], 0],
      [['database', 'drop', '-y', '--json'], 0],
      // The database is gone now: 3D000 with the hint to create it.
      [['run', '--verbose'], 1],
      [['database', 'setup', '--json', '--verbose'], 0],
      [['database', 'drop', '-y', '--verbose'], 0],
    ];
    const outputs: string[] = [];
    for (const [args, exit] of steps) {
      const result = await strata(args, { cwd: project.dir, env: { DATABASE_URL: url } });
      expect(result.code, `strata ${args.join(' ')}\n${allOutput(result)}`).toBe(exit);
      expectNoPassword(`strata ${args.join(' ')}`, result, LEAKABLE_PASSWORD);
      outputs.push(allOutput(result));
    }
    // The scan saw the connection details, redacted: the role and the server are named, the password is not.
    const everything = outputs.join('\n');
    expect(everything).toContain(`${role.role}:***@`);
    expect(everything).toContain(`does not exist [3D000]`);
    expect(everything).toContain('Applied 2 migrations');
  });

  it('a failing migration, and one whose database error quotes the connection string: text, --json and --verbose stacks', async () => {
    const { url } = await role.createDatabase('cli_pw_fail');
    await project.write({
      'migrations/0003_broken.up.sql': 'SELECT * FROM no_such_table_xyz;\n',
      'migrations/0003_broken.down.sql': 'SELECT 1;\n',
    });
    for (const extra of [[], ['--json'], ['--verbose']]) {
      const result = await strata(['run', ...extra], { cwd: project.dir, env: { DATABASE_URL: url } });
      expect(result.code, allOutput(result)).toBe(1);
      expect(allOutput(result)).toContain('MIGRATION_FAILED');
      expectNoPassword(`strata run ${extra.join(' ')} (failing migration)`, result, LEAKABLE_PASSWORD);
      if (extra[0] === '--verbose') expect(result.stderr).toMatch(/\n\s+at /);
    }

    // The database itself repeats the URL (message, detail and hint), as an error from dblink or
    // postgres_fdw would: the CLI must redact what the database said, not only what strata wrote.
    await project.write({
      'migrations/0003_broken.up.sql': `DO $$ BEGIN RAISE EXCEPTION 'cannot reach ${url}' USING DETAIL = 'tried ${url}', HINT = 'password ${LEAKABLE_PASSWORD}'; END $$;\n`,
    });
    for (const extra of [[], ['--json'], ['--verbose']]) {
      const result = await strata(['run', ...extra], { cwd: project.dir, env: { DATABASE_URL: url } });
      expect(result.code, allOutput(result)).toBe(1);
      expect(allOutput(result)).toContain('cannot reach postgres://');
      expectNoPassword(`strata run ${extra.join(' ')} (error quoting the URL)`, result, LEAKABLE_PASSWORD);
    }
    const info = await strata(['info', '--json', '--verbose'], { cwd: project.dir, env: { DATABASE_URL: url } });
    expectNoPassword('strata info --json --verbose', info, LEAKABLE_PASSWORD);
  });

  it('given as --database-url or in ./.env instead of $DATABASE_URL, and in usage errors next to it', async () => {
    const { url } = await role.createDatabase('cli_pw_arg');
    const outputs: string[] = [];
    const viaArgument: [string[], number][] = [
      [['run', '--database-url', url, '--verbose'], 0],
      [['info', '--json', '--database-url', url], 0],
      [['--database-url', url, 'validate'], 0],
      // "Database ... on postgres://role:***@host:port already exists.": the URL is shown, redacted.
      [['database', 'create', '--database-url', url], 0],
      [['run', '--database-url', url, '--no-such-option'], 2],
      [['no-such-command', '--database-url', url], 2],
      [['run', '--database-url', url, '--lock-timeout', 'soon'], 2],
      [['database', 'drop', '--database-url', url], 2],
    ];
    for (const [args, exit] of viaArgument) {
      const result = await strata(args, { cwd: project.dir });
      expect(result.code, `strata ${args.join(' ')}\n${allOutput(result)}`).toBe(exit);
      expectNoPassword(`strata ${args.join(' ')}`, result, LEAKABLE_PASSWORD);
      outputs.push(allOutput(result));
    }

    await project.write({ '.env': `DATABASE_URL=${url}\n` });
    const viaDotEnv: [string[], number][] = [
      [['info', '--verbose'], 0],
      [['database', 'setup', '--verbose'], 0],
      [['revert', '--json', '--verbose'], 0],
      [['database', 'drop'], 2],
    ];
    for (const [args, exit] of viaDotEnv) {
      const result = await strata(args, { cwd: project.dir });
      expect(result.code, allOutput(result)).toBe(exit);
      expectNoPassword(`strata ${args.join(' ')} (URL in .env)`, result, LEAKABLE_PASSWORD);
      outputs.push(allOutput(result));
    }
    // Both ways, the URL reached the output, redacted.
    expect(outputs[3]).toContain(`${role.role}:***@`);
    expect(outputs.at(-3)).toContain(`${role.role}:***@`);
  });

  // People paste generated passwords into URLs without percent-encoding them; base64 ones hold '/'.
  // The URL then does not parse, and the error that says so must still not show the password.
  it('a URL that does not parse because its password holds a raw / # or ?: INVALID_URL, without the password', async () => {
    for (const password of ['Sup3r/S3cretPw', 'Sup3r#S3cretPw', 'Sup3r?S3cretPw']) {
      const url = `postgres://someone:${password}@127.0.0.1:1/app`;
      for (const extra of [[], ['--json'], ['--verbose']]) {
        const args = ['info', ...extra];
        const result = await strata(args, { cwd: project.dir, env: { DATABASE_URL: url } });
        expect(result.code, allOutput(result)).toBe(2);
        expect(allOutput(result)).toContain('INVALID_URL');
        // Not a single half of it either: the part before the / # or ? is a secret too.
        expectNoPassword(`strata ${args.join(' ')} (URL ${JSON.stringify(password)})`, result, password);
        expectNoPassword(`strata ${args.join(' ')} (URL ${JSON.stringify(password)})`, result, password.slice(0, 5));
      }
    }
  });

  it('a password with a broken percent-escape: a usage error (INVALID_URL, exit 2), not INTERNAL_ERROR, without the password', async () => {
    const password = 'Sup3r%zzS3cretPw';
    for (const extra of [[], ['--json']]) {
      const result = await strata(['info', ...extra], {
        cwd: project.dir,
        env: { DATABASE_URL: `postgres://someone:${password}@127.0.0.1:1/app` },
      });
      expect(allOutput(result)).not.toContain('INTERNAL_ERROR');
      expect(allOutput(result)).toContain('INVALID_URL');
      expect(result.code, allOutput(result)).toBe(2);
      expectNoPassword('strata info (broken escape)', result, password);
      expectNoPassword('strata info (broken escape)', result, 'S3cretPw');
    }
  });

  it('against a port nothing listens on, with a password full of URL syntax: every command, text, --json and --verbose', async () => {
    const password = 'Sup3r:S3cret@Pw/%x';
    const url = `postgres://${role.role}:${encodeURIComponent(password)}@127.0.0.1:1/strata_nowhere`;
    const commands = [
      ['run'],
      ['info'],
      ['validate'],
      ['revert'],
      ['redo'],
      ['resolve', '1', '--applied'],
      ['database', 'create'],
      ['database', 'drop', '-y'],
      ['database', 'setup'],
    ];
    for (const command of commands) {
      for (const extra of [[], ['--json'], ['--verbose']]) {
        const args = [...command, ...extra];
        const result = await strata(args, { cwd: project.dir, env: { DATABASE_URL: url } });
        expect(result.code, `strata ${args.join(' ')}\n${allOutput(result)}`).toBe(1);
        expect(allOutput(result)).toContain('CONNECTION_FAILED');
        // One rule everywhere, the README's: the user and *** where the password was.
        expect(allOutput(result)).toContain(`${role.role}:***@127.0.0.1:1`);
        expect(allOutput(result)).not.toContain(`${role.role}@127.0.0.1:1`);
        expectNoPassword(`strata ${args.join(' ')} (refused)`, result, password);
      }
    }
  });
});
