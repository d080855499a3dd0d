import { closeSync, createReadStream, existsSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { createInterface } from "node:readline";
import { BehaviorError } from "../errors.js";
import type { AttemptRecord } from "./record.js";
import { isTrajectory, type Trajectory } from "./trajectory.js";
import { isAttemptRecord, recordProblem } from "./validate.js";

/** What a sink stores: attempt records, trajectories, or both. */
export type SinkItem = AttemptRecord | Trajectory;

/** Where the collector puts behavioural data. */
export interface BehaviorSink {
  /** Stores one item. The returned promise settles once the item is stored (or storing failed). */
  write(item: SinkItem): Promise<void>;
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

/**
 * Appends items to a JSON Lines file, one whole line per item. Lines are written by a single
 * writer, in batches (the lines queued while a write is under way go out together), on one
 * descriptor opened in append mode, so many concurrent runs in one process never interleave and
 * several processes can share the file (each batch is one `write` on an O_APPEND descriptor).
 *
 * The constructor checks at once that the folder exists and the file can be opened for appending,
 * and throws `SINK_NOT_WRITABLE` otherwise, so a bad path fails before any run. When the file ends
 * with a partial line (a crash in the middle of a write), the first write starts with a newline so
 * that the damaged line stays a single line that readers skip.
 */
export class JsonlSink implements BehaviorSink {
  readonly path: string;
  /** Lines written by this sink. */
  lines = 0;
  private readonly pending: { line: string; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private draining: Promise<void> | undefined;
  private handle: FileHandle | undefined;
  private needsNewline: boolean;
  private closed = false;

  constructor(path: string) {
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
    let fd: number;
    try {
      fd = openSync(this.path, "a");
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
      this.needsNewline = endsWithoutNewline(this.path);
    } finally {
      closeSync(fd);
    }
  }

  write(item: SinkItem): Promise<void> {
    if (this.closed) {
      return Promise.reject(new BehaviorError("SINK_CLOSED", `The sink for ${this.path} is closed; create a new JsonlSink to write more.`));
    }
    let line: string;
    try {
      // JSON.stringify escapes newlines inside strings, so the line has no raw newline.
      line = `${JSON.stringify(item)}\n`;
    } catch (error) {
      return Promise.reject(new BehaviorError("SINK_WRITE_FAILED", `Cannot serialise an item for ${this.path}: ${describe(error)}.`, { cause: error }));
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line, resolve, reject });
      this.drain();
    });
  }

  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    await this.handle?.close().catch(() => undefined);
    this.handle = undefined;
  }

  /** Starts the writer unless it runs already; it writes until nothing is pending. */
  private drain(): void {
    this.draining ??= this.writeAll().finally(() => {
      this.draining = undefined;
      // A line queued after the loop's last check and before this callback still needs a writer.
      if (this.pending.length > 0) this.drain();
    });
  }

  /**
   * Writes every pending line, a batch at a time: the lines queued while one write was under way
   * go out together in the next single write, on one descriptor opened in append mode.
   */
  private async writeAll(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      const text = batch.map((b) => b.line).join("");
      try {
        this.handle ??= await open(this.path, "a");
        await this.handle.appendFile(this.needsNewline ? `\n${text}` : text, "utf8");
        this.needsNewline = false;
        this.lines += batch.length;
        for (const b of batch) b.resolve();
      } catch (error) {
        const failure = new BehaviorError(
          "SINK_WRITE_FAILED",
          `Writing to ${this.path} failed (${describe(error)}). Check free space and permissions.`,
          { cause: error },
        );
        for (const b of batch) b.reject(failure);
      }
    }
  }
}

/** True when the file is not empty and its last byte is not a newline. */
function endsWithoutNewline(path: string): boolean {
  const size = statSync(path).size;
  if (size === 0) return false;
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.alloc(1);
    readSync(fd, buffer, 0, 1, size - 1);
    return buffer[0] !== 0x0a;
  } finally {
    closeSync(fd);
  }
}

/**
 * Keeps items in memory, for tests and notebooks. Items are stored as JSON copies, exactly as a
 * JsonlSink would read them back, so later changes to the originals do not leak in.
 */
export class MemorySink implements BehaviorSink {
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
  /** Called once per read when lines were skipped. Defaults to `console.warn`. */
  warn?: (message: string) => void;
}

export interface ReadResult<T> {
  items: T[];
  /** Lines that were corrupt, truncated or not valid items. */
  skipped: number;
  /** Valid lines of the other kind (trajectories when reading records, and records when reading trajectories). */
  ignored: number;
  /** 1-based numbers of the first skipped lines (at most 20), with the reason. */
  problems: { line: number; reason: string }[];
}

async function readJsonl<T>(
  path: string,
  what: string,
  check: (value: unknown) => string | null,
  other: (value: unknown) => boolean,
  options: ReadOptions,
): Promise<ReadResult<T>> {
  if (!existsSync(path)) {
    throw new BehaviorError("FILE_NOT_FOUND", `No behaviour file at ${resolve(path)}. Check the path, or run the collector first.`);
  }
  const result: ReadResult<T> = { items: [], skipped: 0, ignored: 0, problems: [] };
  const lines = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
  let number = 0;
  const skip = (reason: string) => {
    result.skipped += 1;
    if (result.problems.length < 20) result.problems.push({ line: number, reason });
  };
  try {
    for await (const line of lines) {
      number += 1;
      if (line.trim() === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        skip("not valid JSON (corrupt or truncated)");
        continue;
      }
      const problem = check(value);
      if (problem === null) result.items.push(value as T);
      else if (other(value)) result.ignored += 1;
      else skip(problem);
    }
  } catch (error) {
    throw new BehaviorError("READ_FAILED", `Reading ${resolve(path)} failed: ${describe(error)}.`, { cause: error });
  }
  if (result.skipped > 0) {
    const first = result.problems[0];
    (options.warn ?? console.warn)(
      `langgraph-drr: skipped ${result.skipped} corrupt or invalid line(s) while reading ${what} from ${resolve(path)}` +
        (first ? ` (first: line ${first.line}, ${first.reason}).` : "."),
    );
  }
  return result;
}

/**
 * Reads attempt records from a JSON Lines file. Corrupt, truncated or invalid lines are skipped
 * and counted (with one warning per call) instead of failing; trajectory lines are counted in
 * `ignored`. Throws `FILE_NOT_FOUND` when the file does not exist.
 */
export async function readRecords(
  path: string,
  options: ReadOptions = {},
): Promise<{ records: AttemptRecord[]; skipped: number; ignored: number; problems: { line: number; reason: string }[] }> {
  const { items, ...rest } = await readJsonl<AttemptRecord>(path, "records", recordProblem, isTrajectory, options);
  return { records: items, ...rest };
}

/** Reads trajectories from a JSON Lines file, like `readRecords`; record lines are counted in `ignored`. */
export async function readTrajectories(
  path: string,
  options: ReadOptions = {},
): Promise<{ trajectories: Trajectory[]; skipped: number; ignored: number; problems: { line: number; reason: string }[] }> {
  const { items, ...rest } = await readJsonl<Trajectory>(
    path,
    "trajectories",
    (value) => (isTrajectory(value) ? null : "not a trajectory"),
    isAttemptRecord,
    options,
  );
  return { trajectories: items, ...rest };
}
