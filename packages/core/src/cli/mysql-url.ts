import { redactUrl } from '../redact.js';
import { DEFAULT_CONNECT_TIMEOUT_S, decodeUrlPart, MAX_TIMER_MS } from './url-parts.js';
import { UsageError } from './usage-error.js';

export interface MysqlTarget {
  kind: 'mysql';
  url: string;
  host: string;
  port: number;
  user: string | undefined;
  /** The database the URL names, or undefined (then none is selected, and a run refuses). */
  database: string | undefined;
  /** The password, to scrub from anything printed. */
  password: string | undefined;
  display: string;
  /** --connect-timeout, else DEFAULT_CONNECT_TIMEOUT_S (sqlx-mysql's URL has no such parameter). */
  connectTimeoutMs: number;
  /** SQLx's `ssl-mode`: disabled and preferred connect without TLS (mysql2 cannot fall back), the others require it. */
  sslMode: SslMode;
  /** `ssl-ca`: a CA file for verify_ca / verify_identity. */
  sslCa: string | undefined;
  /** `charset`, `socket` (a Unix socket path instead of host:port). */
  charset: string | undefined;
  socket: string | undefined;
}

const SSL_MODES = ['disabled', 'preferred', 'required', 'verify_ca', 'verify_identity'] as const;
type SslMode = (typeof SSL_MODES)[number];
/** sqlx-mysql's query parameters strata reads or knows to ignore (they change nothing a migration sees). */
const KNOWN = new Set([
  'ssl-mode',
  'sslmode',
  'ssl-ca',
  'charset',
  'collation',
  'socket',
  'statement-cache-capacity',
  'timezone',
]);

/**
 * Reads `mysql://` / `mariadb://` URLs the way sqlx-mysql does: user, password, host, port
 * (3306), the database in the path, and `?ssl-mode=…&ssl-ca=…&charset=…&socket=…`. An unknown
 * parameter is refused (a typo in ssl-mode must not quietly connect in clear text).
 */
export function parseMysql(url: string, connectTimeoutMs: number | undefined): MysqlTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`the database URL ${redactUrl(url)} is not a valid URL`, { code: 'INVALID_URL' });
  }
  for (const key of parsed.searchParams.keys()) {
    if (!KNOWN.has(key)) {
      throw new UsageError(`unknown parameter "${key}" in the MySQL URL ${redactUrl(url)}`, {
        code: 'INVALID_URL',
        hint: `strata reads sqlx-mysql's parameters: ${[...KNOWN].join(', ')}`,
      });
    }
  }
  const mode = (parsed.searchParams.get('ssl-mode') ?? parsed.searchParams.get('sslmode') ?? 'preferred').toLowerCase();
  if (!(SSL_MODES as readonly string[]).includes(mode)) {
    throw new UsageError(`unknown ssl-mode "${mode}" in ${redactUrl(url)}`, {
      code: 'INVALID_URL',
      hint: `ssl-mode is one of ${SSL_MODES.join(', ')}`,
    });
  }
  const path = parsed.pathname.replace(/^\//, '');
  return {
    kind: 'mysql',
    url,
    host: parsed.hostname || 'localhost',
    port: parsed.port ? Number(parsed.port) : 3306,
    user: parsed.username ? decodeUrlPart(parsed.username, url) : undefined,
    database: path ? decodeUrlPart(path, url) : undefined,
    password: parsed.password ? decodeUrlPart(parsed.password, url) : undefined,
    display: redactUrl(url),
    connectTimeoutMs: Math.min(connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_S * 1000, MAX_TIMER_MS),
    sslMode: mode as SslMode,
    sslCa: parsed.searchParams.get('ssl-ca') ?? undefined,
    charset: parsed.searchParams.get('charset') ?? undefined,
    socket: parsed.searchParams.get('socket') ?? undefined,
  };
}
