export interface RoundTripWatchOptions<Verdict> {
  /** How long a round trip may wait before the database is asked about it. */
  stallMs: number;
  /** How often it is asked again while the round trip keeps waiting. */
  everyMs: number;
  /** Asks the database, on another connection, about the watched session: undefined means no verdict (busy, or it cannot tell). */
  ask: () => Promise<Verdict | undefined>;
  /** Called once, with the first verdict: the session is stalled; the callee ends it. */
  stalled: (verdict: Verdict) => void;
}

/**
 * Watches the round trips of one session for a stalled network: the request or its answer lost on
 * the way, with nothing cut, so the client would wait for the kernel's TCP timeouts (about 15
 * minutes on Linux). Once a round trip has waited `stallMs`, the database is asked about the
 * session, every `everyMs` while it keeps waiting; the first verdict fires `stalled`, once. Which
 * question says "stalled" is the dialect's (PostgreSQL: pg_stat_activity).
 */
export class RoundTripWatch<Verdict> {
  readonly #options: RoundTripWatchOptions<Verdict>;
  #fired = false;

  constructor(options: RoundTripWatchOptions<Verdict>) {
    this.#options = options;
  }

  /** `pending` (one round trip on the watched session), watched until it settles. */
  during<T>(pending: Promise<T>): Promise<T> {
    if (this.#fired) return pending;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const check = async (): Promise<void> => {
      const verdict = await this.#options.ask().catch(() => undefined);
      if (settled || this.#fired) return;
      if (verdict !== undefined) {
        this.#fired = true;
        this.#options.stalled(verdict);
        return;
      }
      timer = setTimeout(check, this.#options.everyMs);
      timer.unref?.();
    };
    timer = setTimeout(check, this.#options.stallMs);
    timer.unref?.();
    const stop = () => {
      settled = true;
      clearTimeout(timer);
    };
    pending.then(stop, stop);
    return pending;
  }
}
