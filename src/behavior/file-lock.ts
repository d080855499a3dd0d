import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { BehaviorError } from "../errors.js";

/**
 * Who holds a lock: written as JSON into the lock file. `bootId` and `procStart` (Linux only) tell
 * a live holder from a later process that happens to have the same pid.
 */
export interface LockHolder {
  pid: number;
  hostname: string;
  /** ISO 8601 time the lock was taken. */
  started: string;
  bootId?: string;
  procStart?: string;
}

/** A lock file younger than this with no readable holder is taken to be in the middle of being written. */
const FRESH_LOCK_MS = 2000;
/** A takeover marker older than this was left by a process that died while taking over a stale lock. */
const STALE_TAKEOVER_MS = 10_000;

function readProcFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** The process's start time in clock ticks since boot (field 22 of /proc/PID/stat), on Linux. */
function procStartOf(pid: number | "self"): string | undefined {
  const stat = readProcFile(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // The command name (field 2) is in parentheses and may hold spaces; fields after it are plain.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return fields[19];
}

function me(): LockHolder {
  const bootId = readProcFile("/proc/sys/kernel/random/boot_id");
  const procStart = procStartOf("self");
  return {
    pid: process.pid,
    hostname: hostname(),
    started: new Date().toISOString(),
    ...(bootId !== undefined && { bootId }),
    ...(procStart !== undefined && { procStart }),
  };
}

function parseHolder(text: string): LockHolder | null {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid === "number" && Number.isInteger(value.pid) && value.pid > 0 && typeof value.hostname === "string") {
      return { started: "an unknown time", ...value } as LockHolder;
    }
  } catch {
    // Not a lock this code wrote.
  }
  return null;
}

/**
 * Whether the holder may still be running: "dead" when it ran on this host and its pid is gone (or
 * now belongs to a process started later), "alive" when it is running here, "unknown" when it ran
 * on another host.
 */
function holderState(holder: LockHolder, heldHere: boolean): "alive" | "dead" | "unknown" {
  if (holder.hostname !== hostname()) return "unknown";
  if (holder.pid === process.pid) {
    // Our own pid: alive only if this process really holds the lock; else a former process with our pid.
    return heldHere ? "alive" : "dead";
  }
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return "dead";
    // EPERM: a live process of another user.
  }
  const bootId = readProcFile("/proc/sys/kernel/random/boot_id");
  if (holder.bootId !== undefined && bootId !== undefined && holder.bootId !== bootId) return "dead";
  if (holder.procStart !== undefined) {
    const now = procStartOf(holder.pid);
    if (now !== undefined && now !== holder.procStart) return "dead";
  }
  return "alive";
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function ageMs(path: string): number | undefined {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function readLock(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** Lock files held by this process, released when it exits. */
const held = new Map<string, string>();
let exitHookInstalled = false;

function releaseAllOnExit(): void {
  for (const [path, content] of held) removeIfOurs(path, content);
  held.clear();
}

function removeIfOurs(path: string, content: string): void {
  try {
    if (readLock(path) === content) unlinkSync(path);
  } catch {
    // Nothing more can be done while exiting.
  }
}

/**
 * An exclusive lock on a file, held by one process at a time, for Linux and macOS alike: Node has
 * no flock, so the lock is a file `<target>.lock` created with O_CREAT|O_EXCL (`open(..., "wx")`)
 * holding the holder's pid, host and start time as JSON. It is removed by `release()` and when the
 * process exits; a lock left by a killed process is taken over when its holder ran on this host and
 * is gone. A lock held by a process on another host cannot be checked and is never taken over.
 */
export class FileLock {
  private released = false;

  private constructor(
    readonly path: string,
    readonly holder: LockHolder,
    private readonly content: string,
  ) {}

  /** Takes the lock of `target` (the file `target + ".lock"`), or throws `SINK_LOCKED` naming the holder. */
  static acquire(target: string): FileLock {
    const path = `${target}.lock`;
    const holder = me();
    const content = `${JSON.stringify(holder)}\n`;
    const deadline = Date.now() + FRESH_LOCK_MS + 1000;
    for (let tries = 0; ; tries++) {
      if (tries >= 200) {
        throw new BehaviorError("LOCK_FAILED", `Could not take the lock ${path} after ${tries} tries. Check that the folder is writable, or delete ${path} if no process uses ${target}.`);
      }
      let fd: number | undefined;
      try {
        fd = openSync(path, "wx", 0o644);
        writeSync(fd, content);
        closeSync(fd);
        if (!exitHookInstalled) {
          exitHookInstalled = true;
          process.on("exit", releaseAllOnExit);
        }
        held.set(path, content);
        return new FileLock(path, holder, content);
      } catch (error) {
        if (fd !== undefined) {
          closeSync(fd);
          removeIfOurs(path, content);
        }
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
          throw new BehaviorError(
            "LOCK_FAILED",
            `Cannot create the lock file ${path} (${(error as Error).message}). The folder must be writable.`,
            { cause: error },
          );
        }
      }
      const text = readLock(path);
      if (text === undefined) continue; // Released meanwhile: try again.
      const other = parseHolder(text);
      if (other === null) {
        // A lock being written right now, or debris. Wait for a fresh one, take over an old one.
        if ((ageMs(path) ?? 0) < FRESH_LOCK_MS && Date.now() < deadline) {
          sleepSync(50);
          continue;
        }
      } else {
        const state = holderState(other, held.get(path) === text);
        if (state !== "dead") throw lockedError(target, path, other, state);
      }
      try {
        takeOver(path, text);
      } catch (error) {
        throw new BehaviorError("LOCK_FAILED", `Could not remove the stale lock ${path} (${(error as Error).message}). Delete it by hand if no process uses ${target}.`, {
          cause: error,
        });
      }
    }
  }

  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this.path);
    removeIfOurs(this.path, this.content);
  }
}

function lockedError(target: string, path: string, holder: LockHolder, state: "alive" | "unknown"): BehaviorError {
  const who = `pid ${holder.pid} on host ${holder.hostname}, since ${holder.started}`;
  const advice =
    state === "unknown"
      ? `If that process is no longer running, delete ${path} and try again.`
      : "Wait for it to finish or stop it, or write to another file.";
  return new BehaviorError(
    "SINK_LOCKED",
    `${target} is being written by another process (${who}; lock file ${path}). Only one process may write a behaviour file at a time. ${advice}`,
  );
}

/**
 * Removes a stale lock whose content is `stale`. A takeover marker created with O_EXCL makes sure
 * only one process removes it, and only if it still holds the stale content (another process may
 * have taken it over and locked it anew meanwhile).
 */
function takeOver(path: string, stale: string): void {
  const marker = `${path}.takeover`;
  let fd: number;
  try {
    fd = openSync(marker, "wx", 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const age = ageMs(marker);
    if (age !== undefined && age > STALE_TAKEOVER_MS) {
      try {
        unlinkSync(marker);
      } catch {
        // Removed by another process.
      }
    } else {
      sleepSync(20);
    }
    return;
  }
  try {
    closeSync(fd);
    if (readLock(path) === stale) unlinkSync(path);
  } finally {
    unlinkSync(marker);
  }
}
