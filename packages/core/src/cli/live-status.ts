import type { WritableLike } from './io.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const TICK_MS = 100;

/**
 * One line at the bottom of a terminal, redrawn in place while something slow runs (a long
 * migration, a lock wait). Does nothing unless the stream is a TTY, so logs and pipes never
 * receive carriage returns.
 */
export class LiveStatus {
  readonly enabled: boolean;
  readonly #stream: WritableLike;
  #render: ((elapsedMs: number) => string) | undefined;
  #since = 0;
  #frame = 0;
  #timer: NodeJS.Timeout | undefined;
  #drawn = false;

  constructor(stream: WritableLike, env: NodeJS.ProcessEnv) {
    this.#stream = stream;
    this.enabled = stream.isTTY === true && env.TERM !== 'dumb';
  }

  /** Shows `render(elapsed)` and keeps it ticking; `startedAt` lets a wait that began earlier count from then. */
  show(render: (elapsedMs: number) => string, startedAt = performance.now()): void {
    if (!this.enabled) return;
    this.#render = render;
    this.#since = startedAt;
    this.#draw();
    if (!this.#timer) {
      this.#timer = setInterval(() => this.#draw(), TICK_MS);
      this.#timer.unref();
    }
  }

  /** Removes the line, leaving the cursor at the start of an empty line for normal output. */
  clear(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#render = undefined;
    if (this.#drawn) this.#stream.write('\r\u001b[2K');
    this.#drawn = false;
  }

  #draw(): void {
    if (!this.#render) return;
    const frame = FRAMES[this.#frame++ % FRAMES.length];
    let text = `${frame} ${this.#render(performance.now() - this.#since)}`;
    const width = this.#stream.columns;
    // A line longer than the terminal wraps, and `\r` would then redraw only its last row.
    if (width && text.length >= width) text = `${text.slice(0, width - 2)}…`;
    this.#stream.write(`\r\u001b[2K${text}`);
    this.#drawn = true;
  }
}
