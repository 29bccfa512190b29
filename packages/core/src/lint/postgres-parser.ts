import { StrataError } from '../errors.js';

/** The parts of PostgreSQL's parse tree lint reads, as libpg-query returns them (JSON of the server's nodes). */
export type PgNode = Record<string, unknown>;

export interface PgParseResult {
  stmts?: { stmt?: PgNode; stmt_location?: number; stmt_len?: number }[];
}

/** PostgreSQL's own parser (the server's grammar, compiled to WebAssembly). */
export interface PostgresParser {
  /** Throws on a syntax error, with `sqlDetails.cursorPosition` (0-based, in UTF-8 bytes). */
  parse(sql: string): PgParseResult;
}

/** The package that compiles the server's parser to WebAssembly: an optional dependency of @strata/core. */
export const PARSER_PACKAGE = 'libpg-query';

let loading: Promise<PostgresParser> | undefined;

/**
 * Loads the parser once per process, on first use: about 2 MB of WebAssembly that only lint needs,
 * so neither `import('@strata/core')` nor any other command pays for it.
 */
export function loadPostgresParser(): Promise<PostgresParser> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function load(): Promise<PostgresParser> {
  // A variable: bundlers must leave the optional package to be resolved at run time.
  const specifier = PARSER_PACKAGE;
  let module: { loadModule(): Promise<void>; parseSync(sql: string): PgParseResult };
  try {
    module = (await import(specifier)) as typeof module;
  } catch (error) {
    throw new StrataError(
      'LINT_PARSER_MISSING',
      `strata lint reads PostgreSQL migrations with PostgreSQL's own parser, from the optional package ${PARSER_PACKAGE}, which is not installed: npm install ${PARSER_PACKAGE}`,
      { package: PARSER_PACKAGE },
      { cause: error },
    );
  }
  await module.loadModule();
  return { parse: (sql) => module.parseSync(sql) };
}

/** Where a parse error points, in UTF-8 bytes of the text parsed; undefined when the parser did not say. */
export function parseErrorPosition(error: unknown): number | undefined {
  const position = (error as { sqlDetails?: { cursorPosition?: unknown } } | null)?.sqlDetails?.cursorPosition;
  return typeof position === 'number' && position >= 0 ? position : undefined;
}
