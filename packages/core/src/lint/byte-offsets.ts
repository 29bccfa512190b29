/**
 * PostgreSQL's parser locates everything in UTF-8 bytes; strata's positions are UTF-16 indices.
 * Returns the converter for one script: the identity for ASCII text (most migrations), else a
 * walk over the code points, cached for increasing offsets.
 */
export function byteToCharOffsets(text: string): (byteOffset: number) => number {
  if (!/[^\x00-\x7f]/.test(text)) return (byteOffset) => Math.min(Math.max(byteOffset, 0), text.length);
  return (byteOffset) => {
    let bytes = 0;
    let i = 0;
    while (i < text.length && bytes < byteOffset) {
      const c = text.codePointAt(i)!;
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
      i += c > 0xffff ? 2 : 1;
    }
    return i;
  };
}
