import { redactUrl } from '../redact.js';
import { UsageError } from './usage-error.js';

/** sqlx-cli's default for --connect-timeout. */
export const DEFAULT_CONNECT_TIMEOUT_S = 10;
/** Node's timers take at most 2^31 - 1 ms; anything longer is as good as waiting. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A broken percent-escape is the user's typo: a usage error naming the (redacted) URL, not a crash. */
export function decodeUrlPart(part: string, url: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new UsageError(
      `the database URL ${redactUrl(url)} holds a broken percent-escape (a % not followed by two hex digits)`,
      {
        code: 'INVALID_URL',
        hint: 'percent-encode special characters in the user name, password and database name (% is %25)',
      },
    );
  }
}
