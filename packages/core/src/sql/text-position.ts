/** 1-based line and column; columns count code points, so an emoji is one column. */
export interface TextPosition {
  line: number;
  column: number;
}

const LF = 0x0a;
const CR = 0x0d;

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * The line and column of a UTF-16 offset. `\n`, `\r\n` and a lone `\r` each end a line.
 * The offset is clamped to `[0, source.length]`; an offset inside a surrogate pair reports the
 * column after that character.
 */
export function positionAt(source: string, offset: number): TextPosition {
  const target = clamp(offset, source.length);
  let line = 1;
  let column = 1;
  for (let i = 0; i < target; i++) {
    const c = source.charCodeAt(i);
    if (c === LF) {
      line++;
      column = 1;
    } else if (c === CR) {
      // The \r of a \r\n is not a break of its own: the \n that follows is.
      if (source.charCodeAt(i + 1) === LF) {
        column++;
      } else {
        line++;
        column = 1;
      }
    } else if (!(isLowSurrogate(c) && i > 0 && isHighSurrogate(source.charCodeAt(i - 1)))) {
      column++;
    }
  }
  return { line, column };
}

/**
 * The UTF-16 index of the code point at `codePointIndex` (0-based). PostgreSQL reports error
 * positions 1-based in characters, so pass `position - 1`. Clamped to `[0, source.length]`.
 */
export function offsetOfCodePoint(source: string, codePointIndex: number): number {
  const n = source.length;
  const wanted = Math.floor(codePointIndex);
  if (!(wanted > 0)) return 0;
  let seen = 0;
  let i = 0;
  while (i < n) {
    if (seen === wanted) return i;
    const c = source.charCodeAt(i);
    i += isHighSurrogate(c) && isLowSurrogate(source.charCodeAt(i + 1)) ? 2 : 1;
    seen++;
  }
  return n;
}

function clamp(offset: number, length: number): number {
  if (!(offset > 0)) return 0; // also NaN
  return offset > length ? length : Math.floor(offset);
}

/**
 * A script without its UTF-8 BOM, which sources keep (the checksum covers the file's bytes) and
 * databases must not receive; `bomLength` shifts offsets in `body` back to offsets in the script.
 */
export function withoutBom(script: string): { body: string; bomLength: number } {
  return script.charCodeAt(0) === 0xfeff ? { body: script.slice(1), bomLength: 1 } : { body: script, bomLength: 0 };
}
