import type { DialectName } from '../dialects/dialect.js';
import type { DatabaseHandle } from '../dialects/registry.js';
import type { RuleSetting } from '../lint/finding.js';
import type { Migrator } from '../migrator.js';
import type { MigrationSource } from '../source/resolve-source.js';

/** One target of a fleet, as the fleet table shows it. */
export interface StudioFleetRow {
  target: string;
  outcome: string;
  applied: number;
  pending: number;
  dirty: number;
  /** Modified, missing and future together: what needs a person. */
  other: number;
  error: string | null;
}

/** One action the page took, for the terminal (or an app's log). */
export interface StudioActionEntry {
  action: 'run' | 'revert' | 'resolve';
  outcome: 'done' | 'failed';
  /** Versions applied, reverted or resolved. */
  versions: string[];
  /** The error's code and message, when it failed. */
  error?: { code: string; message: string };
}

export interface StudioOptions {
  /** The engine the CLI uses: every read and every action goes through it. */
  migrator: Migrator;
  /** The same handle the migrator runs on, for the schema (and drift). */
  db: DatabaseHandle;
  database: DialectName;
  /** The migrations, as given to the migrator: the shadow of a drift check is migrated from them. */
  migrations: MigrationSource;
  /** The history table and its schema, left out of the diagram. */
  table?: string | undefined;
  schema?: string | undefined;
  /** Default 127.0.0.1: the page is for this machine. */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Default: a new random one. */
  token?: string;
  /** Actions (run, revert one step, resolve a dirty row) are refused (403) unless true. */
  allowWrite?: boolean;
  /** Compare the schema with what the applied migrations make (a shadow database), and mark what differs. */
  drift?: boolean;
  lintRules?: Readonly<Record<string, RuleSetting>> | undefined;
  /** The fleet table's rows, when the page shows a fleet. */
  fleet?: (() => Promise<StudioFleetRow[]>) | undefined;
  /** Where index.html, studio.css and studio.js are. */
  assetsDir: string;
  /** Told of every action, whatever its outcome. */
  onAction?: (entry: StudioActionEntry) => void;
}
