import { packageJsonStrata } from '../config/package-json-strata.js';
import type { RuleSetting } from '../lint/finding.js';
import { RULES } from '../lint/rules/index.js';
import { UsageError } from './usage-error.js';

const SETTINGS: readonly string[] = ['off', 'warning', 'error'];

/**
 * Rule settings for `strata lint`: `"strata": { "lint": { "rules": { "drop-column": "off" } } }`
 * in the working directory's package.json, then `--disable RULE,...` on the command line.
 */
export function lintRuleSettings(cwd: string, disabled: string | undefined): Record<string, RuleSetting> {
  const settings: Record<string, RuleSetting> = {};
  const configured = packageJsonRules(cwd);
  for (const [rule, setting] of Object.entries(configured)) {
    requireRule(rule, 'package.json strata.lint.rules');
    if (typeof setting !== 'string' || !SETTINGS.includes(setting)) {
      throw new UsageError(
        `package.json strata.lint.rules["${rule}"] must be "off", "warning" or "error", not ${JSON.stringify(setting)}`,
      );
    }
    settings[rule] = setting as RuleSetting;
  }
  for (const rule of disabled
    ?.split(',')
    .map((r) => r.trim())
    .filter(Boolean) ?? []) {
    requireRule(rule, '--disable');
    settings[rule] = 'off';
  }
  return settings;
}

function packageJsonRules(cwd: string): Record<string, unknown> {
  const rules = (packageJsonStrata(cwd).lint as { rules?: unknown } | undefined)?.rules;
  return rules && typeof rules === 'object' ? (rules as Record<string, unknown>) : {};
}

function requireRule(rule: string, where: string): void {
  if (RULES.some((known) => known.id === rule)) return;
  throw new UsageError(`${where}: unknown lint rule "${rule}"`, { hint: `rules: ${RULES.map((known) => known.id).join(', ')}` });
}
