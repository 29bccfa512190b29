import type { FuturePolicy } from '../future-migrations.js';
import type { Logger } from '../logger.js';
import type { Migrator } from '../migrator.js';
import type { MigratorEvent } from '../report.js';
import type { GlobalConfig } from './config.js';
import { type OpenDatabase, openDatabase } from './connect.js';
import { type DatabaseTarget, parseDatabaseUrl } from './database-url.js';
import type { CliIo } from './io.js';
import type { PgPool } from './load-driver.js';
import type { OptionValues } from './option-values.js';
import type { Output } from './output.js';
import { UsageError } from './usage-error.js';
import { warmFirstConnection } from './warm-connection.js';

export interface MigratorChoices {
  ignoreMissing?: boolean;
  allowOutOfOrder?: boolean;
  future?: FuturePolicy;
  singleTransaction?: boolean;
  /** The lock guard's lock_timeout in ms (`run --lock-guard SECONDS`). */
  lockGuardMs?: number | undefined;
  onEvent?: (event: MigratorEvent) => void;
}

/** What a command runs with: its parsed arguments, the global configuration, the terminal, and a lazily opened database. */
export class CommandContext {
  readonly name: string;
  readonly values: OptionValues;
  readonly positionals: string[];
  readonly config: GlobalConfig;
  readonly out: Output;
  readonly io: CliIo;
  #target: DatabaseTarget | undefined;
  #open: OpenDatabase | undefined;

  constructor(init: { name: string; values: OptionValues; positionals: string[]; config: GlobalConfig; out: Output; io: CliIo }) {
    this.name = init.name;
    this.values = init.values;
    this.positionals = init.positionals;
    this.config = init.config;
    this.out = init.out;
    this.io = init.io;
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  option(name: string): string | undefined {
    const value = this.values[name];
    return typeof value === 'string' ? value : undefined;
  }

  /** The database the URL names; a usage error when no URL was given anywhere. */
  target(): DatabaseTarget {
    if (this.#target) return this.#target;
    const url = this.config.databaseUrl;
    if (!url) {
      throw new UsageError(noDatabaseUrlMessage(this.config), {
        code: 'NO_DATABASE_URL',
        hint: 'for example DATABASE_URL=sqlite://app.db?mode=rwc or DATABASE_URL=postgres://user@localhost/app',
      });
    }
    const target = parseDatabaseUrl(url, this.config.databaseUrlBase, this.config.connectTimeoutMs);
    if ('password' in target) this.out.addSecret(target.password);
    this.#target = target;
    return target;
  }

  async database(): Promise<OpenDatabase> {
    this.#open ??= await openDatabase(this.target(), this.io.cwd);
    return this.#open;
  }

  async migrator(choices: MigratorChoices = {}): Promise<Migrator> {
    // The engine loads here, not with the CLI: --help, add, and usage errors never pay for it.
    // PostgreSQL's first connection starts as soon as pg has loaded, while the engine still loads.
    const [db, { Migrator }] = await Promise.all([this.database().then(warmed), import('../migrator.js')]);
    return new Migrator({
      db: db.handle,
      migrations: this.config.sourcePath,
      ...(this.config.table !== undefined ? { table: this.config.table } : {}),
      ...(this.config.history !== undefined ? { history: this.config.history } : {}),
      ...(this.config.schema !== undefined ? { schema: this.config.schema } : {}),
      ...(this.config.lockTimeoutMs !== undefined ? { lockTimeout: this.config.lockTimeoutMs } : {}),
      ...(this.config.statementTimeoutMs !== undefined ? { statementTimeout: this.config.statementTimeoutMs } : {}),
      ...('connectTimeoutMs' in db.target ? { connectTimeout: db.target.connectTimeoutMs } : {}),
      ...(this.config.lock !== undefined ? { lock: this.config.lock } : {}),
      ...(this.config.stallTimeoutMs !== undefined ? { stallTimeout: this.config.stallTimeoutMs } : {}),
      ...(choices.ignoreMissing ? { ignoreMissing: true } : {}),
      ...(choices.allowOutOfOrder ? { allowOutOfOrder: true } : {}),
      ...(choices.future ? { future: choices.future } : {}),
      ...(choices.singleTransaction ? { singleTransaction: true } : {}),
      ...(choices.lockGuardMs !== undefined ? { lockGuard: { lockTimeout: choices.lockGuardMs } } : {}),
      ...(choices.onEvent ? { onEvent: choices.onEvent } : {}),
      ...(this.config.telemetry ? { telemetry: true } : {}),
      ...(this.config.ignoredChars ? { ignoredChars: this.config.ignoredChars } : {}),
      logger: this.logger(),
    });
  }

  /** Engine logs go to stderr with --verbose; without it the CLI's own rendering of events says it all. */
  logger(): Logger {
    if (!this.out.verbose) return { info() {}, warn() {}, error() {}, debug() {} };
    const write = (level: string) => (message: string, context?: Record<string, unknown>) =>
      this.out.note(`${this.out.errStyle.dim(`[${level}]`)} ${message}${context ? ` ${safeJson(context)}` : ''}`);
    return { info: write('info'), warn: write('warn'), error: write('error'), debug: write('debug') };
  }

  /** Closes what was opened; the process then exits on its own. */
  async close(): Promise<void> {
    const open = this.#open;
    this.#open = undefined;
    await open?.close();
  }
}

/** A fresh PostgreSQL pool starts its first connection (see warmFirstConnection); other handles are left alone. */
function warmed(open: OpenDatabase): OpenDatabase {
  if (open.target.kind === 'postgres' && !open.warm) {
    open.warm = true;
    warmFirstConnection(open.handle as PgPool);
  }
  return open;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? String(inner) : inner));
  } catch {
    return '';
  }
}

/** Where the URL was looked for, so the person knows where to put one. */
function noDatabaseUrlMessage(config: GlobalConfig): string {
  const dotenv = config.dotenv ? `, or add DATABASE_URL=... to ${config.dotenv}` : ' (.env is not read: --no-dotenv)';
  return `no database URL: pass --database-url, set DATABASE_URL${dotenv}`;
}
