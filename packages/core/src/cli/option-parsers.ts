import { isStrataError } from '../errors.js';
import { parseVersion } from '../version.js';
import type { CommandContext } from './context.js';
import { UsageError } from './usage-error.js';

// Typed values read from what a command was given (versions, counts, exclusive options); each
// refusal is a UsageError that names the option.

/** A version typed on the command line: digits that fit a signed 64-bit integer. */
export function parseVersionArgument(text: string, what: string): bigint {
  try {
    return parseVersion(text.trim());
  } catch (error) {
    if (!isStrataError(error)) throw error;
    throw new UsageError(`${what} must be a migration version (digits, at most ${(1n << 63n) - 1n}), not "${text}"`);
  }
}

export function versionOption(context: CommandContext, name: string): bigint | undefined {
  const text = context.option(name);
  return text === undefined ? undefined : parseVersionArgument(text, `--${name}`);
}

/** A count typed on the command line: a whole number >= 1. */
export function countOption(context: CommandContext, name: string): number | undefined {
  const text = context.option(name);
  if (text === undefined) return undefined;
  const count = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(count) || count < 1) {
    throw new UsageError(`--${name} takes a whole number >= 1, not "${text}"`);
  }
  return count;
}

/** Refuses combinations of options that contradict each other. */
export function atMostOne(context: CommandContext, names: readonly string[]): void {
  const given = names.filter((name) => context.values[name] !== undefined);
  if (given.length > 1) {
    throw new UsageError(`${given.map((name) => `--${name}`).join(' and ')} cannot be used together`, {
      hint: `see \`strata ${context.name} --help\``,
    });
  }
}

/** A duration typed in seconds (`1.5`), as whole milliseconds >= 1. */
export function secondsOption(context: CommandContext, name: string): number | undefined {
  const text = context.option(name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`--${name} takes a number of seconds > 0, not "${text}"`);
  }
  return Math.max(1, Math.round(value * 1000));
}
