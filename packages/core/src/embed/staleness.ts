/** How a generated file on disk compares with a fresh rendering. */
export type Freshness =
  | { state: 'fresh' }
  | { state: 'missing' }
  | { state: 'stale'; added: string[]; removed: string[]; changed: string[] };

export function compareGenerated(onDisk: string | undefined, fresh: string): Freshness {
  if (onDisk === undefined) return { state: 'missing' };
  if (onDisk === fresh) return { state: 'fresh' };
  const before = entriesByVersion(onDisk);
  const after = entriesByVersion(fresh);
  const label = (entries: Map<string, Entry>) => (version: string) => entries.get(version)!.label;
  const added = [...after.keys()].filter((version) => !before.has(version)).map(label(after));
  const removed = [...before.keys()].filter((version) => !after.has(version)).map(label(before));
  const changed = [...after.keys()]
    .filter((version) => before.has(version) && before.get(version)!.text !== after.get(version)!.text)
    .map(label(after));
  return { state: 'stale', added, removed, changed };
}

/** `2 added (0003_a.sql, 0004_b.sql), 1 changed (0002_c.sql)`, or why the file differs when no migration did. */
export function describeStaleness(freshness: Extract<Freshness, { state: 'stale' }>): string {
  const parts: string[] = [];
  const list = (versions: string[]) =>
    versions.length <= 5 ? versions.join(', ') : `${versions.slice(0, 5).join(', ')}, … ${versions.length - 5} more`;
  if (freshness.added.length) parts.push(`${freshness.added.length} added (${list(freshness.added)})`);
  if (freshness.changed.length) parts.push(`${freshness.changed.length} changed (${list(freshness.changed)})`);
  if (freshness.removed.length) parts.push(`${freshness.removed.length} removed (${list(freshness.removed)})`);
  return parts.length
    ? parts.join(', ')
    : 'it differs from a fresh generation (edited by hand, or made by another strata version)';
}

/**
 * The generated layout puts each migration in its own `  {\` … `  },\` block starting with its
 * version, so blocks can be matched without evaluating the file. A hand-edited file that no longer
 * has that shape just compares as "differs".
 */
interface Entry {
  /** Everything after the version line. */
  text: string;
  /** The up file's name when the entry has one, else the version. */
  label: string;
}

function entriesByVersion(text: string): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  for (const match of text.matchAll(/^ {2}\{\\\n {4}"version": "(\d+)",\\\n([\s\S]*?)^ {2}\},?\\$/gm)) {
    const upFile = /^ {4}"upFile": ("(?:[^"\\]|\\.)*"),\\$/m.exec(match[2]!)?.[1];
    // The JSON sits in a single-quoted string: undo that string's escapes before parsing it.
    const label = upFile ? (JSON.parse(upFile.replace(/\\([\\'])/g, '$1')) as string) : match[1]!;
    entries.set(match[1]!, { text: match[2]!, label });
  }
  return entries;
}
