/** `1 migration`, `2 migrations`: log lines read as sentences, in one spelling for both integrations. */
export function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
