import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isStrataError, StrataError } from '../errors.js';
import { loadStudioAssets } from './assets.js';
import { type ActionInput, performAction, planAction, STUDIO_ACTIONS, type StudioAction } from './studio-actions.js';
import type { StudioOptions } from './studio-options.js';
import { lockState, schemaView, stateView } from './studio-views.js';
import { newStudioToken, presentedToken, sameToken, tokenCookieName } from './token.js';

export interface StudioServer {
  /** The page's address with the token: what a person opens. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const MAX_BODY_BYTES = 64 * 1024;
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

type Answer = { status: number; body: unknown; headers?: Record<string, string> };

/**
 * `strata studio`'s server: Node's http, the page's files and a small JSON API over the
 * Migrator. Every request without the token is 401, whatever it asks for; actions are 403
 * unless `allowWrite`, and run one at a time.
 */
export async function startStudio(options: StudioOptions): Promise<StudioServer> {
  const assets = loadStudioAssets(options.assetsDir);
  const token = options.token ?? newStudioToken();
  const host = options.host ?? '127.0.0.1';
  let cookie = '';
  let actions: Promise<unknown> = Promise.resolve();
  const serialised = <T>(work: () => Promise<T>): Promise<T> => {
    const next = actions.then(work, work);
    actions = next.catch(() => {});
    return next;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse, port: number): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://studio.invalid');
    if (!sameToken(presentedToken(request, url, cookie), token)) {
      return send(response, {
        status: 401,
        headers: { 'www-authenticate': 'Bearer realm="strata studio"' },
        body: problem('UNAUTHORIZED', 'open the URL `strata studio` printed: it carries the token'),
      });
    }
    // A name that resolves to this machine from another site (DNS rebinding) is not the page's own.
    if (LOOPBACK.has(host) && !hostHeaderIsLoopback(request.headers.host, port)) {
      return send(response, { status: 421, body: problem('WRONG_HOST', 'the studio answers on its loopback address only') });
    }
    const asset = request.method === 'GET' ? assets.get(url.pathname) : undefined;
    if (asset) {
      const headers: Record<string, string> = { ...SECURITY_HEADERS, 'content-type': asset.contentType };
      if (url.pathname === '/') headers['set-cookie'] = `${cookie}=${token}; HttpOnly; SameSite=Strict; Path=/`;
      response.writeHead(200, headers);
      response.end(asset.body);
      return;
    }
    return send(response, await route(request, url));
  };

  const route = async (request: IncomingMessage, url: URL): Promise<Answer> => {
    const [, api, group, name] = url.pathname.split('/');
    if (api !== 'api') return { status: 404, body: problem('NOT_FOUND', `no such page: ${url.pathname}`) };
    if (request.method === 'GET' && name === undefined) {
      if (group === 'state') return { status: 200, body: await stateView(options) };
      if (group === 'schema') return { status: 200, body: await schemaView(options) };
      if (group === 'lock') return { status: 200, body: await lockState(options) };
      if (group === 'fleet' && options.fleet) return { status: 200, body: { targets: await options.fleet() } };
    }
    if ((group === 'plan' || group === 'actions') && name !== undefined) {
      const action = STUDIO_ACTIONS.find((known) => known === name);
      if (!action) return { status: 404, body: problem('NOT_FOUND', `no such action: ${name}`) };
      const method = group === 'plan' ? 'GET' : 'POST';
      if (request.method !== method) return methodNotAllowed(method);
      if (!options.allowWrite) {
        return {
          status: 403,
          body: problem('READ_ONLY', 'the studio is read-only: start it with `strata studio --allow-write` to act'),
        };
      }
      if (group === 'plan') return { status: 200, body: await planAction(options, action, queryInput(url)) };
      if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
        return { status: 415, body: problem('UNSUPPORTED_MEDIA_TYPE', 'send the action as application/json') };
      }
      const input = await readJson(request);
      return { status: 200, body: await serialised(() => performAction(options, action as StudioAction, input)) };
    }
    return { status: 404, body: problem('NOT_FOUND', `no such route: ${request.method} ${url.pathname}`) };
  };

  const server = createServer((request, response) => {
    handle(request, response, (server.address() as AddressInfo).port).catch((error: unknown) => {
      send(response, failure(error));
    });
  });
  const port = await listen(server, host, options.port ?? 0);
  cookie = tokenCookieName(port);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    host,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new StrataError(
          'STUDIO_LISTEN_FAILED',
          `cannot listen on ${host}:${port}: ${error.code === 'EADDRINUSE' ? 'the port is taken (try another --port, or 0 for a free one)' : error.message}`,
          { host, port },
          { cause: error },
        ),
      );
    });
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function hostHeaderIsLoopback(header: string | undefined, port: number): boolean {
  if (!header) return false;
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(header);
  return match !== null && LOOPBACK.has(match[1]!.toLowerCase()) && (match[2] === undefined || Number(match[2]) === port);
}

function queryInput(url: URL): ActionInput {
  return {
    version: url.searchParams.get('version') ?? undefined,
    resolution: url.searchParams.get('resolution') ?? undefined,
  };
}

async function readJson(request: IncomingMessage): Promise<ActionInput> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new StrataError('INVALID_OPTIONS', 'the request body is too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new StrataError('INVALID_OPTIONS', 'the request body is not JSON');
  }
  const record = (body ?? {}) as Record<string, unknown>;
  const text_ = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { version: text_(record.version), resolution: text_(record.resolution) };
}

function problem(code: string, message: string) {
  return { error: { code, message } };
}

function methodNotAllowed(allowed: string): Answer {
  return { status: 405, headers: { allow: allowed }, body: problem('METHOD_NOT_ALLOWED', `use ${allowed}`) };
}

const STATUS_OF: Partial<Record<string, number>> = { INVALID_OPTIONS: 400, INVALID_VERSION: 400, NOT_FOUND: 404 };

/** A StrataError is the engine refusing (409 unless it is the request's fault); anything else is ours, told without details. */
function failure(error: unknown): Answer {
  if (isStrataError(error)) {
    return {
      status: STATUS_OF[error.code] ?? 409,
      body: { error: { code: error.code, message: error.message, details: error.details } },
    };
  }
  return { status: 500, body: problem('INTERNAL_ERROR', 'the studio failed to answer; see the terminal running it') };
}

function send(response: ServerResponse, answer: Answer): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  const body = JSON.stringify(answer.body, (_key, value: unknown) => (typeof value === 'bigint' ? String(value) : value));
  response.writeHead(answer.status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    ...answer.headers,
  });
  response.end(body);
}
