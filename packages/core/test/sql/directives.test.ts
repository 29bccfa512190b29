import { describe, expect, it } from 'vitest';
import { hasNoTransactionDirective } from '../../src/sql/directives.js';

describe('hasNoTransactionDirective', () => {
  it('is true when the first line is exactly the directive', () => {
    expect(hasNoTransactionDirective('-- no-transaction\nCREATE INDEX CONCURRENTLY i ON t (x);')).toBe(true);
    expect(hasNoTransactionDirective('-- no-transaction')).toBe(true);
    expect(hasNoTransactionDirective('-- no-transaction\r\nVACUUM;')).toBe(true);
    expect(hasNoTransactionDirective('-- no-transaction  \t\nVACUUM;')).toBe(true);
  });

  it('allows a leading UTF-8 BOM', () => {
    expect(hasNoTransactionDirective('\uFEFF-- no-transaction\nVACUUM;')).toBe(true);
    expect(hasNoTransactionDirective('\uFEFF\uFEFF-- no-transaction\n')).toBe(false);
  });

  it("follows SQLx's starts_with rule, so a shared history runs each file the same way", () => {
    expect(hasNoTransactionDirective('-- no-transaction (CREATE INDEX CONCURRENTLY below)\n')).toBe(true);
    expect(hasNoTransactionDirective('-- no-transaction; SELECT 1\n')).toBe(true);
  });

  it('is false when the script does not start with the directive', () => {
    expect(hasNoTransactionDirective('')).toBe(false);
    expect(hasNoTransactionDirective(' -- no-transaction\n')).toBe(false);
    expect(hasNoTransactionDirective('--no-transaction\n')).toBe(false);
    expect(hasNoTransactionDirective('-- NO-TRANSACTION\n')).toBe(false);
    expect(hasNoTransactionDirective('/* -- no-transaction */\n')).toBe(false);
  });

  it('only looks at the first line', () => {
    expect(hasNoTransactionDirective('\n-- no-transaction\n')).toBe(false);
    expect(hasNoTransactionDirective('-- add index\n-- no-transaction\n')).toBe(false);
    expect(hasNoTransactionDirective('SELECT 1;\n-- no-transaction')).toBe(false);
  });
});
