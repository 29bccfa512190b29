import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { offsetOfCodePoint, positionAt } from '../../src/sql/text-position.js';

describe('positionAt', () => {
  it('is 1-based and counts \\n line breaks', () => {
    const source = 'SELECT 1;\nSELECT 2;\n\nbad';
    expect(positionAt(source, 0)).toEqual({ line: 1, column: 1 });
    expect(positionAt(source, 7)).toEqual({ line: 1, column: 8 });
    expect(positionAt(source, 9)).toEqual({ line: 1, column: 10 });
    expect(positionAt(source, 10)).toEqual({ line: 2, column: 1 });
    expect(positionAt(source, 20)).toEqual({ line: 3, column: 1 });
    expect(positionAt(source, source.indexOf('bad'))).toEqual({ line: 4, column: 1 });
    expect(positionAt(source, source.indexOf('bad') + 2)).toEqual({ line: 4, column: 3 });
  });

  it('counts CRLF as one line break, and a lone CR as one', () => {
    const source = 'a\r\nb\r\n\r\nc\rd';
    expect(positionAt(source, source.indexOf('b'))).toEqual({ line: 2, column: 1 });
    expect(positionAt(source, source.indexOf('c'))).toEqual({ line: 4, column: 1 });
    expect(positionAt(source, source.indexOf('d'))).toEqual({ line: 5, column: 1 });
    // Between the \r and the \n of a CRLF we are still on the first line.
    expect(positionAt(source, 2)).toEqual({ line: 1, column: 3 });
  });

  it('counts code points, so an emoji is one column', () => {
    const source = "SELECT '😀😀', é, 名 FROM x";
    expect(source.indexOf('é')).toBe(15);
    expect(positionAt(source, source.indexOf('é'))).toEqual({ line: 1, column: 14 });
    expect(positionAt(source, source.indexOf('名'))).toEqual({ line: 1, column: 17 });
    expect(positionAt('😀\n😀x', 5)).toEqual({ line: 2, column: 2 });
  });

  it('counts a lone surrogate as one column', () => {
    expect(positionAt('\uD800a', 1)).toEqual({ line: 1, column: 2 });
    expect(positionAt('\uDC00a', 1)).toEqual({ line: 1, column: 2 });
    expect(positionAt('\uDC00\uDC00a', 2)).toEqual({ line: 1, column: 3 });
  });

  it('clamps the offset to the source', () => {
    expect(positionAt('ab\ncd', -5)).toEqual({ line: 1, column: 1 });
    expect(positionAt('ab\ncd', 100)).toEqual({ line: 2, column: 3 });
    expect(positionAt('ab\ncd', Number.NaN)).toEqual({ line: 1, column: 1 });
    expect(positionAt('', 3)).toEqual({ line: 1, column: 1 });
  });

  it('agrees with a line/code-point model for arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), fc.nat(80), (source, raw) => {
        const offset = Math.min(raw, source.length);
        // Only check offsets on code point boundaries.
        if (offset > 0 && offset < source.length && /[\uDC00-\uDFFF]/.test(source[offset] ?? '')) return;
        const lines = source.slice(0, offset).split(/\r\n|\r|\n/);
        const last = lines.at(-1) ?? '';
        expect(positionAt(source, offset)).toEqual({ line: lines.length, column: [...last].length + 1 });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('offsetOfCodePoint', () => {
  it('converts a 0-based code point index to a UTF-16 index', () => {
    const source = "SELECT '😀', bad";
    // PostgreSQL reports `bad` at position 13 (1-based characters).
    expect(offsetOfCodePoint(source, 13 - 1)).toBe(source.indexOf('bad'));
    expect(offsetOfCodePoint(source, 0)).toBe(0);
    expect(offsetOfCodePoint(source, 8)).toBe(8);
    expect(offsetOfCodePoint(source, 9)).toBe(10);
    expect(offsetOfCodePoint('ab', 1)).toBe(1);
  });

  it('counts lone surrogates as code points', () => {
    expect(offsetOfCodePoint('\uD800x', 1)).toBe(1);
    expect(offsetOfCodePoint('\uDC00\uD800x', 2)).toBe(2);
  });

  it('clamps to the source', () => {
    expect(offsetOfCodePoint('a😀', 5)).toBe(3);
    expect(offsetOfCodePoint('a😀', 2)).toBe(3);
    expect(offsetOfCodePoint('a😀', -1)).toBe(0);
    expect(offsetOfCodePoint('', 3)).toBe(0);
  });

  it('is the inverse of counting code points', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.nat(50), (source, index) => {
        const points = [...source];
        const expected = points.slice(0, index).join('').length;
        expect(offsetOfCodePoint(source, index)).toBe(expected);
        if (index <= points.length) expect(positionAt(source.replace(/[\r\n]/g, ' '), expected).column).toBe(index + 1);
      }),
      { numRuns: 1000 },
    );
  });
});
