import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const READMES = [
  'README.md',
  'packages/core/README.md',
  'packages/express/README.md',
  'packages/nest/README.md',
  'examples/express-sqlite/README.md',
  'examples/nest-postgres/README.md',
];

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes. */
function anchorsOf(markdown: string): Set<string> {
  return new Set(
    [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((match) =>
      match[1]!
        .replace(/`/g, '')
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
  );
}

it('every relative link in the READMEs names a file that exists, and a heading that exists in it', () => {
  const broken: string[] = [];
  for (const readme of READMES) {
    const text = readFileSync(join(REPO, readme), 'utf8');
    for (const [, link] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(link!)) continue;
      const [path, anchor] = link!.split('#');
      const target = path ? join(REPO, dirname(readme), path) : join(REPO, readme);
      if (!existsSync(target)) broken.push(`${readme}: ${link} (no such file)`);
      else if (anchor && target.endsWith('.md') && !anchorsOf(readFileSync(target, 'utf8')).has(anchor)) {
        broken.push(`${readme}: ${link} (no such heading)`);
      }
    }
  }
  expect(broken).toEqual([]);
  // The express README sends readers to the rules for migration files, which live in core's README.
  expect(readFileSync(join(REPO, 'packages/express/README.md'), 'utf8')).toContain('(../core/README.md#migration-files)');
});
