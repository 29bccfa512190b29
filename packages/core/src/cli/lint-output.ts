import { join } from 'node:path';
import type { LintFinding } from '../lint/finding.js';
import { printable } from './format.js';
import type { Output } from './output.js';

/** Where a finding is, from the working directory: `migrations/0002_x.sql:3:1`. */
export function findingPath(source: string, finding: LintFinding): string {
  return finding.file === undefined ? `migration ${finding.version}` : join(source, finding.file);
}

export function printFindingText(out: Output, source: string, finding: LintFinding): void {
  const { style } = out;
  const severity = finding.severity === 'error' ? style.red('error') : style.yellow('warning');
  out.line(
    `${printable(findingPath(source, finding))}:${finding.line}:${finding.column} ${severity}[${finding.rule}] ${finding.message}`,
  );
  out.line(`    ${style.dim('fix:')} ${finding.fix}`);
}

/** A GitHub Actions workflow command: the finding shows as an annotation on the file's line. */
export function githubAnnotation(source: string, finding: LintFinding): string {
  const properties = [
    `file=${escapeProperty(findingPath(source, finding))}`,
    `line=${finding.line}`,
    `col=${finding.column}`,
    `title=${escapeProperty(`strata lint: ${finding.rule}`)}`,
  ].join(',');
  return `::${finding.severity === 'error' ? 'error' : 'warning'} ${properties}::${escapeData(`${finding.message}\nfix: ${finding.fix}`)}`;
}

function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}
