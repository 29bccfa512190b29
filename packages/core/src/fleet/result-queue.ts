/**
 * Results handed (to every reader, each from the start) from the fleet to an async iterator. Unbounded on purpose: a caller that only
 * awaits the summary never reads it, and it holds at most one small result per target.
 */
export class ResultQueue<T> {
  readonly #items: T[] = [];
  #waiting: (() => void)[] = [];
  #ended = false;
  #error: { reason: unknown } | undefined;

  push(item: T): void {
    this.#items.push(item);
    this.#wake();
  }

  end(error?: { reason: unknown }): void {
    this.#ended = true;
    this.#error = error;
    this.#wake();
  }

  async *drain(): AsyncGenerator<T, void, undefined> {
    let next = 0;
    for (;;) {
      if (next < this.#items.length) {
        yield this.#items[next++]!;
        continue;
      }
      if (this.#ended) {
        if (this.#error) throw this.#error.reason;
        return;
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
  }

  #wake(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const resolve of waiting) resolve();
  }
}
