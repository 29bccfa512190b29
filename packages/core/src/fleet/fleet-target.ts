import { StrataError } from '../errors.js';
import { redactUrl } from '../redact.js';

/**
 * One member of a fleet as a caller names it: a database URL (`postgres://...`, `sqlite:...`), or
 * a URL and a schema of that database (schema-per-tenant, PostgreSQL).
 */
export type FleetTargetInput = string | { url: string; schema?: string | undefined };

/** A target checked and labelled: what the engine works on and what every report names. */
export interface FleetTarget {
  /** Its place in the list the caller gave, from 0. */
  readonly index: number;
  readonly kind: 'postgres' | 'sqlite';
  /** The URL as given: it may hold a password, so it is never put in a result. */
  readonly url: string;
  readonly schema: string | undefined;
  /** The URL with its password removed, then `#schema` for a schema target. */
  readonly label: string;
}

export function fleetTargets(inputs: Iterable<FleetTargetInput>): FleetTarget[] {
  const targets: FleetTarget[] = [];
  for (const input of inputs) targets.push(fleetTarget(input, targets.length));
  return targets;
}

function fleetTarget(input: FleetTargetInput, index: number): FleetTarget {
  const { url, schema } = typeof input === 'string' ? { url: input, schema: undefined } : (input ?? {});
  if (typeof url !== 'string' || url.trim() === '') {
    throw new StrataError('INVALID_OPTIONS', `fleet target ${index + 1} has no URL`, { target: index });
  }
  if (schema !== undefined && (typeof schema !== 'string' || schema === '')) {
    throw new StrataError('INVALID_OPTIONS', `fleet target ${index + 1}: schema must be a non-empty string`, { target: index });
  }
  const kind = kindOf(url);
  if (!kind) {
    throw new StrataError(
      'UNSUPPORTED_DATABASE',
      `fleet target ${index + 1} (${redactUrl(url)}): no driver for this URL; use postgres://, postgresql:// or sqlite:`,
      { target: index },
    );
  }
  if (schema !== undefined && kind !== 'postgres') {
    throw new StrataError('INVALID_OPTIONS', `fleet target ${index + 1}: a schema target needs a PostgreSQL URL`, {
      target: index,
    });
  }
  const label = `${redactUrl(url)}${schema === undefined ? '' : `#${schema}`}`;
  return { index, kind, url, schema, label };
}

function kindOf(url: string): FleetTarget['kind'] | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  if (scheme === 'sqlite') return 'sqlite';
  return undefined;
}
