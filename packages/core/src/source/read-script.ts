import { readFileSync } from 'node:fs';
import { checksumOf } from '../checksum.js';
import { StrataError } from '../errors.js';

export interface Script {
  text: string;
  /** SHA-384 of the file's bytes exactly as stored. */
  checksum: Uint8Array;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads a script synchronously: a directory holds many small files, and thousands of concurrent
 * async reads are both slower (thread-pool round trips) and able to exhaust file descriptors.
 * Reads a script as bytes and decodes it strictly: a file that is not UTF-8 would be executed as
 * something other than what is on disk, so it is refused instead. The BOM is kept in the text so
 * the text hashes to the same bytes; executors strip it before sending.
 */
export function readScript(absolutePath: string, displayPath: string): Script {
  let bytes: Buffer;
  try {
    bytes = readFileSync(absolutePath);
  } catch (cause) {
    throw new StrataError(
      'SOURCE_UNREADABLE',
      `cannot read migration file ${displayPath}: ${describeFsError(cause)}`,
      { file: displayPath },
      {
        cause,
      },
    );
  }
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch (cause) {
    throw new StrataError(
      'SOURCE_UNREADABLE',
      `migration file ${displayPath} is not valid UTF-8; save it as UTF-8`,
      { file: displayPath },
      { cause },
    );
  }
  return { text, checksum: checksumOf(bytes) };
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'symbolic link loop';
    case 'EISDIR':
      return 'is a directory';
    default:
      return code ?? (error instanceof Error ? error.message : String(error));
  }
}
