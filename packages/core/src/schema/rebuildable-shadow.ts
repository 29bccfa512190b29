import type { Database, ScratchDatabase } from '../dialects/database.js';
import type { DatabaseHandle } from '../dialects/registry.js';
import { StrataError } from '../errors.js';
import type { Shadow, ShadowOptions } from './shadow-database.js';

/**
 * A shadow database that can be thrown away and made again mid-check: after a down that failed
 * part-way, or an up that cannot run again, the shadow no longer holds what the next migration
 * starts from, and a new one (migrated up to that point) lets the check go on. Only a temporary
 * database can be rebuilt; a shadow the caller gave (`--shadow-url`) is theirs to keep.
 */
export class RebuildableShadow {
  readonly #live: Database;
  #scratch: ScratchDatabase | undefined;
  #current: Shadow;

  private constructor(live: Database, current: Shadow, scratch: ScratchDatabase | undefined) {
    this.#live = live;
    this.#current = current;
    this.#scratch = scratch;
  }

  static async open(live: Database, options: ShadowOptions): Promise<RebuildableShadow> {
    if (options.shadow)
      return new RebuildableShadow(live, { handle: options.shadow, name: 'the given shadow database' }, undefined);
    const scratch = await createScratch(live);
    return new RebuildableShadow(live, { handle: scratch.handle as DatabaseHandle, name: scratch.name }, scratch);
  }

  get current(): Shadow {
    return this.#current;
  }

  get rebuildable(): boolean {
    return this.#scratch !== undefined;
  }

  /** Drops the temporary database and creates an empty one in its place. */
  async rebuild(): Promise<Shadow> {
    if (!this.#scratch) throw new StrataError('NOT_SUPPORTED', 'a shadow database given by the caller is not rebuilt');
    const old = this.#scratch;
    this.#scratch = undefined;
    await old.drop();
    this.#scratch = await createScratch(this.#live);
    this.#current = { handle: this.#scratch.handle as DatabaseHandle, name: this.#scratch.name };
    return this.#current;
  }

  /** Drops the temporary database (never a given one); safe on every path. */
  async close(): Promise<void> {
    const scratch = this.#scratch;
    this.#scratch = undefined;
    await scratch?.drop();
  }
}

function createScratch(live: Database): Promise<ScratchDatabase> {
  if (!live.createScratch) {
    throw new StrataError(
      'UNSUPPORTED_DATABASE',
      `strata cannot create a temporary ${live.dialect.label} database: pass a shadow database (CLI --shadow-url)`,
    );
  }
  return live.createScratch();
}
