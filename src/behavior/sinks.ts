import { closeSync, existsSync, fstatSync, openSync, readSync, realpathSync, statSync, write as writeCallback, writeSync } from "node:fs";
import { open, rename, unlink, type FileHandle } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { BehaviorError } from "../errors.js";
import { FileLock } from "./file-lock.js";
import { decodeUtf8, DEFAULT_MAX_LINE_BYTES, scanLines } from "./lines.js";
import type { AttemptRecord } from "./record.js";
import { parseTrajectory, isTrajectory, type Trajectory } from "./trajectory.js";
import { isAttemptRecord, parseRecord } from "./validate.js";

/** What a sink stores: attempt records, trajectories, or both. */
export type SinkItem = AttemptRecord | Trajectory;

/** Where the collector puts behavioural data. */
export interface BehaviorSink {
  /** Stores one item. The returned promise settles once the item is stored (or storing failed). */
  write(item: SinkItem): Promise<void>;
  /**
   * True when a write may start before the earlier ones settle, the items being stored in the
   * order their writes started (JsonlSink, PostgresSink and MemorySink). The collector then starts
   * a run's writes together, so that the sink can store them in one batch. Absent or false: the
   * collector waits for each write before the next.
   */
  readonly concurrentWrites?: boolean;
  /** Resolves when every write started so far has settled. */
  flush(): Promise<void>;
  /** Flushes, then refuses further writes. */
  close(): Promise<void>;
}

/** True when `value` has the methods of a sink. */
export function isSink(value: unknown): value is BehaviorSink {
  const v = value as Partial<BehaviorSink> | null;
  return typeof v === "object" && v !== null && typeof v.write === "function" && typeof v.flush === "function" && typeof v.close === "function";
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The call that writes bytes to the file's descriptor; it may write fewer bytes than asked, or throw. */
export type WriteFunction = (fd: number, buffer: Uint8Array, offset: number, length: number) => Promise<number>;

/**
 * Batches up to this many bytes are written synchronously: one `write()` into the page cache takes
 * microseconds, while a round trip through libuv's thread pool took about 52 µs per awaited record
 * (`npm run bench:sinks`, docs/BENCHMARKS.md). Larger batches go through the thread pool, so a slow
 * disk never holds the event loop for long.
 */
const SYNC_WRITE_BYTES = 64 * 1024;

const fsWrite: WriteFunction = (fd, buffer, offset, length) => {
  if (length <= SYNC_WRITE_BYTES) {
    return new Promise((resolve, reject) => {
      let written: number;
      try {
        written = writeSync(fd, buffer, offset, length);
      } catch (error) {
        reject(error);
        return;
      }
      // Settled in the event loop's next turn, as a thread-pool write would be: a run that never
      // waits for I/O (a replayed model) still lets signals (drr collect's SIGTERM) and output through.
      setImmediate(() => resolve(written));
    });
  }
  return new Promise((resolve, reject) => {
    writeCallback(fd, buffer, offset, length, null, (error, written) => (error ? reject(error) : resolve(written)));
  });
};

export interface JsonlSinkOptions {
  /**
   * The write call, for tests that simulate a full disk or a partial write. Defaults to one
   * `write()` on the file's O_APPEND descriptor (synchronous up to 64 KiB, through libuv's thread
   * pool above). Used by the first sink opened on a file in a process.
   */
  writeFn?: WriteFunction;
}

/** What a JsonlSink wrote. */
export interface JsonlSinkStats {
  /** Items written as whole lines. */
  written: number;
  /** Items not written, or written only in part, because a write failed. */
  lost: number;
}

/** Bytes of the file read to tell whether it holds behavioural data. */
const SAMPLE_BYTES = 64 * 1024;

/**
 * True for a JSON value that is behavioural data: an attempt record of any schema version (an
 * object with a numeric `schemaVersion` and a `questionId`) or a trajectory.
 */
export function isBehaviorItem(value: unknown): boolean {
  if (isTrajectory(value)) return true;
  const v = value as Record<string, unknown> | null;
  return typeof v === "object" && v !== null && typeof v.schemaVersion === "number" && typeof v.questionId === "string";
}

function isBehaviorLine(line: string): boolean {
  try {
    return isBehaviorItem(JSON.parse(line));
  } catch {
    return false;
  }
}

/**
 * Says why the start of the file shows it is not a behaviour file (binary data, or whole lines none
 * of which is a record or a trajectory), or returns null when it may be one. A file that starts
 * with one long line is judged by its first character.
 */
function foreignContent(fd: number): string | null {
  const size = fstatSync(fd).size;
  if (size === 0) return null;
  const n = Math.min(size, SAMPLE_BYTES);
  const buffer = Buffer.alloc(n);
  readSync(fd, buffer, 0, n, 0);
  if (buffer.includes(0)) return "it holds binary data";
  const text = buffer.toString("utf8");
  const lines = text.split("\n");
  // The last piece is not known to be a whole line: cut by the sample, or torn by a crash.
  lines.pop();
  const whole = lines.filter((line) => line.trim() !== "");
  if (whole.length === 0) return /^\s*\{/.test(text) ? null : "it does not start with a JSON object";
  if (whole.some(isBehaviorLine)) return null;
  const first = (whole[0] as string).trim();
  return `none of its first ${whole.length} line(s) is an attempt record or a trajectory (the first starts ${JSON.stringify(first.slice(0, 40))})`;
}

/** True when the file is not empty and its last byte is not a newline. */
function endsWithoutNewline(fd: number): boolean {
  const size = fstatSync(fd).size;
  if (size === 0) return false;
  const buffer = Buffer.alloc(1);
  readSync(fd, buffer, 0, 1, size - 1);
  return buffer[0] !== 0x0a;
}

interface PendingLine {
  bytes: Buffer;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The one writer of a file in this process: the file's lock, its O_APPEND descriptor and the queue
 * of lines, shared by every JsonlSink of this process on the file.
 */
class FileWriter {
  users = 1;
  /** Lines this writer left torn in the file by a failed write. */
  torn = 0;
  private readonly pending: PendingLine[] = [];
  private draining: Promise<void> | undefined;

  private constructor(
    readonly path: string,
    private fd: number,
    private readonly lock: FileLock,
    private readonly writeFn: WriteFunction,
    private needsNewline: boolean,
  ) {}

  /** Takes the file's lock, checks the file holds behavioural data, and keeps `fd` (opened "a+"). */
  static open(path: string, fd: number, writeFn: WriteFunction): FileWriter {
    const lock = FileLock.acquire(path);
    try {
      const problem = foreignContent(fd);
      if (problem !== null) {
        throw new BehaviorError(
          "NOT_A_BEHAVIOR_FILE",
          `${path} exists and is not a behaviour file: ${problem}. It was left untouched. Choose another file (a new .jsonl path), or move this one away.`,
        );
      }
      return new FileWriter(path, fd, lock, writeFn, endsWithoutNewline(fd));
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  enqueue(bytes: Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ bytes, resolve, reject });
      this.drain();
    });
  }

  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Drops a user; the last one closes the descriptor and releases the lock. */
  async leave(): Promise<void> {
    this.users -= 1;
    if (this.users > 0) return;
    await this.idle();
    writers.delete(this.path);
    try {
      closeSync(this.fd);
    } finally {
      this.lock.release();
    }
  }

  /**
   * Replaces the file by a copy without the byte ranges `drop` (sorted, not overlapping): written
   * to a temporary file, synced, renamed over the file, then reopened for appending.
   */
  async rewrite(drop: readonly [number, number][]): Promise<void> {
    await this.idle();
    const size = fstatSync(this.fd).size;
    const mode = fstatSync(this.fd).mode & 0o7777;
    const tmp = `${this.path}.${process.pid}.tmp`;
    const source = await open(this.path, "r");
    let target: FileHandle | undefined;
    try {
      target = await open(tmp, "w", mode);
      const buffer = Buffer.allocUnsafe(1024 * 1024);
      let from = 0;
      const copy = async (start: number, end: number) => {
        let position = start;
        while (position < end) {
          const { bytesRead } = await source.read(buffer, 0, Math.min(buffer.length, end - position), position);
          if (bytesRead === 0) break;
          let done = 0;
          while (done < bytesRead) done += (await target!.write(buffer, done, bytesRead - done)).bytesWritten;
          position += bytesRead;
        }
      };
      for (const [start, end] of drop) {
        await copy(from, start);
        from = end;
      }
      await copy(from, size);
      await target.sync();
      await target.close();
      target = undefined;
      await rename(tmp, this.path);
    } catch (error) {
      await target?.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw error;
    } finally {
      await source.close();
    }
    closeSync(this.fd);
    this.fd = openSync(this.path, "a+");
    this.needsNewline = endsWithoutNewline(this.fd);
  }

  /** Starts the writer unless it runs already; it writes until nothing is pending. */
  private drain(): void {
    // Started a microtask later, so that the lines queued in the same tick go out in one batch.
    this.draining ??= Promise.resolve().then(() => this.writeAll()).finally(() => {
      this.draining = undefined;
      // A line queued after the loop's last check and before this callback still needs a writer.
      if (this.pending.length > 0) this.drain();
    });
  }

  /** Writes the pending lines a batch at a time: the lines queued during one write go out together in the next. */
  private async writeAll(): Promise<void> {
    while (this.pending.length > 0) await this.writeBatch(this.pending.splice(0));
  }

  /**
   * Writes a batch with one write call; only a partial write makes it call again for the rest
   * (the lock keeps other processes out, so nothing can come between). When a write fails, the
   * lines written whole are kept, the torn line and the lines after it are lost (rejected), and
   * the next batch starts with a newline so that no line is glued onto the torn one.
   */
  private async writeBatch(batch: PendingLine[]): Promise<void> {
    const prefix = this.needsNewline ? 1 : 0;
    const total = batch.reduce((sum, b) => sum + b.bytes.length, prefix);
    const buffer = Buffer.allocUnsafe(total);
    let offset = 0;
    if (prefix) buffer[offset++] = 0x0a;
    const ends: number[] = [];
    for (const b of batch) {
      offset += b.bytes.copy(buffer, offset);
      ends.push(offset);
    }
    let written = 0;
    let failure: unknown;
    try {
      while (written < total) {
        const n = await this.writeFn(this.fd, buffer, written, total - written);
        if (!Number.isInteger(n) || n <= 0) throw new Error(`write() wrote ${String(n)} bytes`);
        written += n;
      }
    } catch (error) {
      failure = error;
    }
    if (written > 0) this.needsNewline = buffer[written - 1] !== 0x0a;
    if (failure === undefined) {
      for (const b of batch) b.resolve();
      return;
    }
    const lost = ends.filter((end) => end > written).length;
    const error = new BehaviorError(
      "SINK_WRITE_FAILED",
      `Writing to ${this.path} failed after ${written} of ${total} bytes (${describe(failure)}); ${lost} item(s) were not written. Check free space and permissions.`,
      { cause: failure },
    );
    let start = prefix;
    batch.forEach((b, i) => {
      const end = ends[i] as number;
      if (end <= written) b.resolve();
      else {
        if (start < written) this.torn += 1;
        b.reject(error);
      }
      start = end;
    });
  }
}

/** The writers of this process, by the real path of their file. */
const writers = new Map<string, FileWriter>();

/**
 * Appends items to a JSON Lines file, one whole line per item. Safe by construction:
 *
 * - **One writer process per file.** The constructor takes the file's lock (`<file>.lock`, see
 *   `FileLock`) and throws `SINK_LOCKED`, naming the holder, while another process writes the
 *   file. Sinks of one process on one file share one writer (one lock, one descriptor, one queue).
 *   The lock goes when the last sink closes or the process exits; a lock left by a killed process
 *   is taken over.
 * - **Never writes into a file that is not behavioural data**: an existing file whose first lines
 *   are not attempt records or trajectories (a model, a README...) is refused with
 *   `NOT_A_BEHAVIOR_FILE` and left untouched.
 * - **Whole lines.** Lines are written in batches (the lines queued while a write is under way go
 *   out together), each batch with one `write` on a descriptor opened in append mode, so a line of
 *   any size is never split by another writer. After a failed or partial write the next line starts
 *   on a new line; the torn line and the lines not written are counted in `lost` and their writes
 *   reject with `SINK_WRITE_FAILED`. A file left ending with a partial line (a crash during a
 *   write) is handled the same way.
 *
 * The constructor also checks at once that the folder exists and the file can be opened for
 * appending, and throws `SINK_NOT_WRITABLE` otherwise, so a bad path fails before any run.
 */
export class JsonlSink implements BehaviorSink {
  readonly path: string;
  readonly concurrentWrites = true;
  /** Items written by this sink as whole lines. */
  lines = 0;
  /** Items of this sink lost to failed writes (including a line left torn). */
  lost = 0;
  private readonly writer: FileWriter;
  private closed = false;

  constructor(path: string, options: JsonlSinkOptions = {}) {
    if (typeof path !== "string" || path.trim() === "") {
      throw new BehaviorError("SINK_NOT_WRITABLE", "JsonlSink needs a file path, e.g. new JsonlSink(\"data/behavior.jsonl\").");
    }
    this.path = resolve(path);
    const folder = dirname(this.path);
    let folderStat;
    try {
      folderStat = statSync(folder);
    } catch {
      throw new BehaviorError("SINK_NOT_WRITABLE", `The folder ${folder} of the behaviour sink does not exist. Create it (mkdir -p) or choose another path.`);
    }
    if (!folderStat.isDirectory()) {
      throw new BehaviorError("SINK_NOT_WRITABLE", `${folder} is not a folder, so ${this.path} cannot be created. Choose a path inside a folder.`);
    }
    let fd: number | undefined;
    try {
      fd = openSync(this.path, "a+");
    } catch (error) {
      throw new BehaviorError(
        "SINK_NOT_WRITABLE",
        `Cannot open ${this.path} for appending (${describe(error)}). Check that it is a file you may write, in a writable folder.`,
        { cause: error },
      );
    }
    try {
      if (!fstatSync(fd).isFile()) {
        throw new BehaviorError("SINK_NOT_WRITABLE", `${this.path} is not a regular file. Choose a file path for the behaviour sink.`);
      }
      const real = realpathSync(this.path);
      const shared = writers.get(real);
      if (shared) {
        shared.users += 1;
        this.writer = shared;
      } else {
        this.writer = FileWriter.open(real, fd, options.writeFn ?? fsWrite);
        writers.set(real, this.writer);
        fd = undefined; // Now the writer's.
      }
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** Items written and lost by this sink. */
  get stats(): JsonlSinkStats {
    return { written: this.lines, lost: this.lost };
  }

  write(item: SinkItem): Promise<void> {
    if (this.closed) {
      return Promise.reject(new BehaviorError("SINK_CLOSED", `The sink for ${this.path} is closed; create a new JsonlSink to write more.`));
    }
    let json: string | undefined;
    try {
      // JSON.stringify escapes newlines inside strings, so the line has no raw newline.
      json = JSON.stringify(item);
    } catch (error) {
      return Promise.reject(new BehaviorError("SINK_WRITE_FAILED", `Cannot serialise an item for ${this.path}: ${describe(error)}.`, { cause: error }));
    }
    if (typeof json !== "string") {
      return Promise.reject(new BehaviorError("SINK_WRITE_FAILED", `Cannot serialise ${String(item)} for ${this.path}: not a JSON value.`));
    }
    return this.writer.enqueue(Buffer.from(`${json}\n`, "utf8")).then(
      () => {
        this.lines += 1;
      },
      (error: unknown) => {
        this.lost += 1;
        throw error;
      },
    );
  }

  async flush(): Promise<void> {
    await this.writer.idle();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writer.leave();
  }

  /**
   * Removes from the file every line that parses as JSON and for which `drop` returns true,
   * keeping all other lines byte for byte (corrupt, over-long and foreign lines too). The file is
   * rewritten atomically: a copy is written, synced and renamed over it, under the sink's lock.
   * Only the file's one open sink may do this (`SINK_BUSY` otherwise). Returns the lines removed.
   */
  async removeLines(drop: (value: unknown) => boolean, options: { maxLineBytes?: number } = {}): Promise<number> {
    if (this.closed) throw new BehaviorError("SINK_CLOSED", `The sink for ${this.path} is closed.`);
    if (this.writer.users !== 1) {
      throw new BehaviorError("SINK_BUSY", `${this.path} is open in ${this.writer.users} sinks of this process; close the others before rewriting it.`);
    }
    await this.writer.idle();
    const ranges: [number, number][] = [];
    for await (const line of scanLines(this.writer.path, options.maxLineBytes)) {
      if (line.bytes === null) continue;
      const text = decodeUtf8(line.bytes);
      if (text === null || text.trim() === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        continue;
      }
      if (drop(value)) ranges.push([line.start, line.end]);
    }
    if (ranges.length > 0) await this.writer.rewrite(ranges);
    return ranges.length;
  }
}

/**
 * Keeps items in memory, for tests and notebooks. Items are stored as JSON copies, exactly as a
 * JsonlSink would read them back, so later changes to the originals do not leak in.
 */
export class MemorySink implements BehaviorSink {
  readonly concurrentWrites = true;
  readonly records: AttemptRecord[] = [];
  readonly trajectories: Trajectory[] = [];
  private closed = false;

  async write(item: SinkItem): Promise<void> {
    if (this.closed) throw new BehaviorError("SINK_CLOSED", "This MemorySink is closed; create a new one to write more.");
    const copy = JSON.parse(JSON.stringify(item)) as SinkItem;
    if (isTrajectory(copy)) this.trajectories.push(copy);
    else this.records.push(copy as AttemptRecord);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.closed = true;
  }
}

export interface ReadOptions {
  /** Called once per read when lines were skipped or duplicates dropped. Defaults to `console.warn`. */
  warn?: (message: string) => void;
  /** Lines longer than this many bytes are skipped and counted in `tooLong`. Defaults to 64 MiB. */
  maxLineBytes?: number;
}

/** What a read found besides its items. */
export interface ReadSummary {
  /** Lines that were corrupt, truncated, not valid UTF-8, too long, or not valid items. */
  skipped: number;
  /** Valid lines of the other kind (trajectories when reading records, and records when reading trajectories). */
  ignored: number;
  /** Items read a second time (same questionId, trajectoryId and attempt; for trajectories the same id), dropped. */
  duplicates: number;
  /** Skipped lines that were not valid UTF-8. */
  invalidUtf8: number;
  /** Skipped lines longer than `maxLineBytes`. */
  tooLong: number;
  /** 1-based numbers of the first skipped lines (at most 20), with the reason. */
  problems: { line: number; reason: string }[];
}

export interface ReadResult<T> extends ReadSummary {
  items: T[];
}

function mib(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

async function readJsonl<T>(
  path: string,
  what: string,
  parse: (value: unknown) => { item: T } | { problem: string },
  other: (value: unknown) => boolean,
  key: (item: T) => string | null,
  options: ReadOptions,
): Promise<ReadResult<T>> {
  if (!existsSync(path)) {
    throw new BehaviorError("FILE_NOT_FOUND", `No behaviour file at ${resolve(path)}. Check the path, or run the collector first.`);
  }
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const result: ReadResult<T> = { items: [], skipped: 0, ignored: 0, duplicates: 0, invalidUtf8: 0, tooLong: 0, problems: [] };
  const seen = new Set<string>();
  let number = 0;
  const skip = (reason: string) => {
    result.skipped += 1;
    if (result.problems.length < 20) result.problems.push({ line: number, reason });
  };
  try {
    for await (const line of scanLines(path, maxLineBytes)) {
      number = line.number;
      if (line.bytes === null) {
        result.tooLong += 1;
        skip(`longer than ${mib(maxLineBytes)} (${line.length} bytes)`);
        continue;
      }
      const text = decodeUtf8(line.bytes);
      if (text === null) {
        result.invalidUtf8 += 1;
        skip("not valid UTF-8");
        continue;
      }
      if (text.trim() === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        skip("not valid JSON (corrupt or truncated)");
        continue;
      }
      const parsed = parse(value);
      if ("item" in parsed) {
        const k = key(parsed.item);
        if (k !== null && seen.has(k)) {
          result.duplicates += 1;
          continue;
        }
        if (k !== null) seen.add(k);
        result.items.push(parsed.item);
      } else if (other(value)) result.ignored += 1;
      else skip(parsed.problem);
    }
  } catch (error) {
    throw new BehaviorError("READ_FAILED", `Reading ${resolve(path)} failed: ${describe(error)}.`, { cause: error });
  }
  if (result.skipped > 0 || result.duplicates > 0) {
    const parts: string[] = [];
    if (result.skipped > 0) {
      const kinds = [
        ...(result.invalidUtf8 > 0 ? [`${result.invalidUtf8} not valid UTF-8`] : []),
        ...(result.tooLong > 0 ? [`${result.tooLong} longer than ${mib(maxLineBytes)}`] : []),
      ];
      parts.push(`skipped ${result.skipped} corrupt or invalid line(s)${kinds.length > 0 ? ` (${kinds.join(", ")})` : ""}`);
    }
    if (result.duplicates > 0) parts.push(`dropped ${result.duplicates} duplicate ${what.replace(/s$/, "")}(s)`);
    const first = result.problems[0];
    (options.warn ?? console.warn)(
      `langgraph-drr: ${parts.join(" and ")} while reading ${what} from ${resolve(path)}` +
        (first ? ` (first skipped: line ${first.line}, ${first.reason}).` : "."),
    );
  }
  return result;
}

/** Records are the same record when they have the same question, trajectory and attempt. */
function recordKey(record: AttemptRecord): string | null {
  return typeof record.trajectoryId === "string" ? JSON.stringify([record.questionId, record.trajectoryId, record.attempt]) : null;
}

/** What `readRecords` returns. */
export interface RecordsResult extends ReadSummary {
  records: AttemptRecord[];
}

/**
 * Reads attempt records from a JSON Lines file, a line at a time. Corrupt, truncated, invalid,
 * non-UTF-8 and over-long lines are skipped and counted (with one warning per call) instead of
 * failing; a record read twice (same questionId, trajectoryId and attempt) is kept once and
 * counted in `duplicates`; trajectory lines are counted in `ignored`. Throws `FILE_NOT_FOUND`
 * when the file does not exist.
 */
export async function readRecords(path: string, options: ReadOptions = {}): Promise<RecordsResult> {
  const { items, ...rest } = await readJsonl<AttemptRecord>(
    path,
    "records",
    (value) => {
      const parsed = parseRecord(value);
      return "record" in parsed ? { item: parsed.record } : parsed;
    },
    isTrajectory,
    recordKey,
    options,
  );
  return { records: items, ...rest };
}

/** What `readTrajectories` returns. */
export interface TrajectoriesResult extends ReadSummary {
  trajectories: Trajectory[];
}

/** Reads trajectories from a JSON Lines file, like `readRecords`; record lines are counted in `ignored`. */
export async function readTrajectories(path: string, options: ReadOptions = {}): Promise<TrajectoriesResult> {
  const { items, ...rest } = await readJsonl<Trajectory>(
    path,
    "trajectories",
    parseTrajectory,
    isAttemptRecord,
    (t) => t.id,
    options,
  );
  return { trajectories: items, ...rest };
}
