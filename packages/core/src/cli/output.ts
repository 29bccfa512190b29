import { redactText } from '../redact.js';
import { colorEnabled, createPalette, type Palette } from './colors.js';
import type { CliIo, WritableLike } from './io.js';
import { LiveStatus } from './live-status.js';

/**
 * Where every byte the CLI prints goes. Text mode: results on stdout, warnings and errors on
 * stderr. JSON mode: exactly one JSON document on stdout, and human lines (progress, warnings)
 * on stderr so a pipeline still sees what happens. Everything printed passes through redaction.
 */
export class Output {
  readonly json: boolean;
  readonly verbose: boolean;
  /** Colours for the stream that text results go to. */
  readonly style: Palette;
  /** Colours for stderr. */
  readonly errStyle: Palette;
  readonly live: LiveStatus;
  readonly #stdout: WritableLike;
  readonly #stderr: WritableLike;
  readonly #secrets: string[] = [];
  #documentWritten = false;

  constructor(io: CliIo, options: { json: boolean; verbose: boolean }) {
    this.json = options.json;
    this.verbose = options.verbose;
    this.#stdout = io.stdout;
    this.#stderr = io.stderr;
    const textStream = options.json ? io.stderr : io.stdout;
    this.style = createPalette(colorEnabled(textStream, io.env));
    this.errStyle = createPalette(colorEnabled(io.stderr, io.env));
    this.live = new LiveStatus(io.stderr, io.env);
  }

  /** Strings (a password) that must never reach the terminal, whatever message carries them. */
  addSecret(secret: string | undefined): void {
    if (secret) this.#secrets.push(secret);
  }

  redact(text: string): string {
    return redactText(text, this.#secrets);
  }

  /** A line of the command's result: stdout in text mode, stderr in JSON mode (stdout then holds only the document). */
  line(text = ''): void {
    this.live.clear();
    (this.json ? this.#stderr : this.#stdout).write(`${this.redact(text)}\n`);
  }

  /** A line that is only context (a warning, a note): always stderr. */
  note(text: string): void {
    this.live.clear();
    this.#stderr.write(`${this.redact(text)}\n`);
  }

  warn(text: string): void {
    this.note(`${this.errStyle.yellow('warning:')} ${text}`);
  }

  /** The JSON document; written once per run. */
  document(value: unknown): void {
    if (this.#documentWritten) return;
    this.#documentWritten = true;
    this.live.clear();
    this.#stdout.write(`${this.redact(JSON.stringify(value, jsonReplacer, 2))}\n`);
  }
}

/** Versions are bigints, which JSON.stringify refuses; they are written as decimal strings. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return String(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return value;
}
