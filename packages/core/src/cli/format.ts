import { visibleLength } from './colors.js';

/** `0.4 ms`, `12 ms`, `3.2 s`, `2m 05s`: precise when short, readable when long. */
export function formatDuration(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}

/** Nanoseconds (as the history stores them) to milliseconds, to the microsecond. */
export function nsToMs(ns: bigint): number {
  return Number(ns / 1000n) / 1000;
}

/** `2026-06-01 12:00:01 UTC`. */
export function formatTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function plural(count: number, word: string, pluralWord = `${word}s`): string {
  return `${count} ${count === 1 ? word : pluralWord}`;
}

/** Left-aligned columns; widths count visible characters, so coloured cells line up. */
export function formatTable(rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell));
    });
  }
  return rows.map(
    (row) =>
      indent +
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visibleLength(cell))))
        .join('  ')
        .trimEnd(),
  );
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/**
 * Characters that would break a line or a table, or make a terminal show something else: C0 and
 * C1 controls (a newline, ESC), DEL, the Unicode line and paragraph separators and the
 * bidirectional overrides. The backslash stays as it is, so a Windows path reads as typed;
 * `--json` tells a real backslash from an escape.
 */
function mustEscape(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/**
 * A name (a file, a description) as one printable line: a newline as the two characters `\n`, as
 * `JSON.stringify` writes it but without the quotes; names without such characters come back
 * unchanged. For tables and text only; `--json` carries the real name.
 */
export function printable(name: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (!mustEscape(code)) continue;
    out += name.slice(from, i) + (ESCAPES[name[i]!] ?? `\\u${code.toString(16).padStart(4, '0')}`);
    from = i + 1;
  }
  return from === 0 ? name : out + name.slice(from);
}

/**
 * A message that may span lines on purpose, with each of `names` in it made printable: an
 * engine error names the file, and only the file name is the person's text.
 */
export function withPrintableNames(message: string, names: readonly unknown[]): string {
  let out = message;
  for (const name of names) {
    if (typeof name !== 'string' || name === '') continue;
    const shown = printable(name);
    if (shown !== name) out = out.split(name).join(shown);
  }
  return out;
}
