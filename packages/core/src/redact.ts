/**
 * Removes the password from a connection string so it can go into a message or a log line.
 * Everything between `user:` and the last `@` is the password: a password may hold a raw `/`,
 * `#` or `?` that makes the URL unparsable, and it must not leak then either.
 */
export function redactUrl(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([\s\S]*)$/i.exec(url);
  if (!match) return url;
  const [, scheme, rest] = match as unknown as [string, string, string];
  const at = rest.lastIndexOf('@');
  if (at === -1) return url;
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  if (colon === -1) return url;
  return `${scheme}${userinfo.slice(0, colon)}:***@${rest.slice(at + 1)}`;
}

/** Redacts every connection string found inside a longer text (an error message, say). */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:]*):(\S*)@/gi, '$1$2:***@');
  for (const secret of secrets) {
    if (secret) out = out.split(secret).join('***');
  }
  return out;
}

/** The parts of a connection string a message may show: never the password, only whether there is one. */
export function urlParts(
  connectionString: string | undefined,
): { user?: string; password?: true; host?: string; port?: number; database?: string } | undefined {
  if (!connectionString) return undefined;
  try {
    const url = new URL(connectionString);
    return {
      ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
      // Only whether there is one: the value never leaves here.
      ...(url.password ? { password: true as const } : {}),
      ...(url.hostname ? { host: url.hostname } : {}),
      ...(url.port ? { port: Number(url.port) } : {}),
      ...(url.pathname.length > 1 ? { database: decodeURIComponent(url.pathname.slice(1)) } : {}),
    };
  } catch {
    return undefined;
  }
}
