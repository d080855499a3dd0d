import { open } from "node:fs/promises";

/** Lines longer than this many bytes are skipped by readers (and counted), not held in memory. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

const CHUNK_BYTES = 1024 * 1024;

/** One line of a file, as `scanLines` finds it. */
export interface ScannedLine {
  /** 1-based line number. */
  number: number;
  /** Byte offset of the line's first byte. */
  start: number;
  /** Byte offset just after the line's newline (or the end of the file for a last line without one). */
  end: number;
  /** The line's bytes without the newline, or null when the line is longer than the bound. */
  bytes: Buffer | null;
  /** Length of the line in bytes, without the newline. */
  length: number;
  /** False for a last line that does not end with a newline. */
  terminated: boolean;
}

/**
 * Reads a file as a stream of lines of bytes, holding at most one line (up to `maxLineBytes`) in
 * memory: a longer line is reported with `bytes: null` instead of being assembled, so a file with a
 * 600 MiB line is read without building a string V8 cannot hold.
 */
export async function* scanLines(path: string, maxLineBytes = DEFAULT_MAX_LINE_BYTES): AsyncGenerator<ScannedLine> {
  const handle = await open(path, "r");
  try {
    let parts: Buffer[] = [];
    let length = 0;
    let oversize = false;
    let start = 0;
    let position = 0;
    let number = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const { bytesRead } = await handle.read(chunk, 0, CHUNK_BYTES, position);
      if (bytesRead === 0) break;
      let from = 0;
      while (from < bytesRead) {
        const newline = chunk.indexOf(0x0a, from);
        const to = newline === -1 || newline >= bytesRead ? bytesRead : newline;
        const piece = to - from;
        if (!oversize && length + piece > maxLineBytes) {
          oversize = true;
          parts = [];
        }
        if (!oversize && piece > 0) parts.push(chunk.subarray(from, to));
        length += piece;
        if (to === bytesRead) break;
        number += 1;
        const end = position + to + 1;
        yield { number, start, end, bytes: oversize ? null : Buffer.concat(parts, length), length, terminated: true };
        parts = [];
        length = 0;
        oversize = false;
        start = end;
        from = to + 1;
      }
      position += bytesRead;
    }
    if (length > 0) {
      number += 1;
      yield { number, start, end: position, bytes: oversize ? null : Buffer.concat(parts, length), length, terminated: false };
    }
  } finally {
    await handle.close();
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes UTF-8, returning null for bytes that are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}
