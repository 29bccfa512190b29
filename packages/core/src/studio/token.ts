import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** 32 random bytes, URL-safe: what the printed URL carries, as Jupyter's does. */
export function newStudioToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The cookie the page's own requests carry once it was opened with the token in its URL; per port, so two studios do not clash. */
export function tokenCookieName(port: number): string {
  return `strata_studio_${port}`;
}

/**
 * The token a request presents: `?token=` in the URL (the link printed), `Authorization: Bearer`,
 * or the cookie set when the page was opened.
 */
export function presentedToken(request: IncomingMessage, url: URL, cookieName: string): string | undefined {
  const fromQuery = url.searchParams.get('token');
  if (fromQuery) return fromQuery;
  const authorization = request.headers.authorization;
  if (authorization?.startsWith('Bearer ')) return authorization.slice('Bearer '.length).trim();
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === cookieName) return value.join('=');
  }
  return undefined;
}

/** Compared in constant time, so response timing tells nothing about how much of a guess was right. */
export function sameToken(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
