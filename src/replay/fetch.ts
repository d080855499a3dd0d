/**
 * Finds a verified local copy of a pinned public file: a mirror, the cache, or a download.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { ReplayError } from "../errors.js";
import { sourceUrl, type DataSource } from "./sources.js";

/** Where `resolveSource` looks for a file, and how it downloads it. */
export interface ResolveOptions {
  /** Mirror root holding `<owner>/<repo>/<commit>/<path>`; defaults to `$DRR_DATA_MIRROR`. */
  mirror?: string;
  /** Cache folder for downloaded copies; defaults to `$DRR_CACHE_DIR` or `~/.cache/langgraph-drr`. */
  cacheDir?: string;
  /** Base URL to download from; defaults to "https://raw.githubusercontent.com/". */
  baseUrl?: string;
  /** Download timeout in milliseconds, covering the whole response; defaults to 30 000. */
  timeoutMs?: number;
  /**
   * A second mirror, tried only when the download fails. There is none unless one is given
   * (`null`, accepted for compatibility, means none as well).
   */
  fallbackMirror?: string | null;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** The default cache folder: `$DRR_CACHE_DIR` or `~/.cache/langgraph-drr`. */
export function defaultCacheDir(): string {
  const fromEnv = process.env.DRR_CACHE_DIR;
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : join(homedir(), ".cache", "langgraph-drr");
}

/** The location of a source below a mirror or cache root. */
export function sourceRelativePath(source: DataSource): string {
  return join(...source.repo.split("/"), source.commit, ...source.path.split("/"));
}

function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

function checksumError(source: DataSource, where: string, data: Uint8Array): ReplayError {
  return new ReplayError(
    "CHECKSUM_MISMATCH",
    `Checksum mismatch for ${source.repo}/${source.commit}/${source.path} from ${where}: ` +
      `expected sha256 ${source.sha256} (${source.bytes} bytes), got ${sha256Hex(data)} (${data.byteLength} bytes).`,
  );
}

function matches(source: DataSource, data: Uint8Array): boolean {
  return data.byteLength === source.bytes && sha256Hex(data) === source.sha256;
}

/** Reads a file if it exists; returns null when it does not. */
async function readIfExists(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** Writes bytes to a temporary file next to `path` and renames it into place. */
async function writeAtomically(path: string, data: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/**
 * Downloads a source's bytes. The body is read with a size cap of the expected size plus one
 * byte, so a wrong or hostile server cannot make it read without bound.
 */
async function download(url: string, maxBytes: number, timeoutMs: number): Promise<Uint8Array> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new Error(`HTTP ${response.status} ${response.statusText} for ${url}`);
  }
  if (response.body === null) throw new Error(`empty response body for ${url}`);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  return Buffer.concat(chunks, total);
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return "timed out";
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}

/**
 * Returns the path of a local, sha256-verified copy of `source`, trying in order:
 * (a) the mirror (`opts.mirror` or `$DRR_DATA_MIRROR`), read in place;
 * (b) a verified copy in the cache folder;
 * (c) a download from `opts.baseUrl` (default raw.githubusercontent.com), verified and then
 *     renamed into the cache atomically;
 * (d) when the download fails, `opts.fallbackMirror` when one is given and holds the file.
 * A mirror is used only when it is named (`DRR_DATA_MIRROR` or an option): the library has no
 * default mirror folder.
 * A copy with the wrong bytes in the mirror or from the download fails with "CHECKSUM_MISMATCH"
 * and is never kept; when nothing works the error is "DATA_UNAVAILABLE".
 */
export async function resolveSource(source: DataSource, opts: ResolveOptions = {}): Promise<string> {
  const relative = sourceRelativePath(source);
  const label = `${source.repo}/${source.commit}/${source.path}`;
  const tried: string[] = [];

  const mirrorEnv = process.env.DRR_DATA_MIRROR;
  const mirror = opts.mirror ?? (mirrorEnv !== undefined && mirrorEnv !== "" ? mirrorEnv : undefined);
  if (mirror !== undefined) {
    const mirrorPath = resolve(mirror, relative);
    const data = await readIfExists(mirrorPath);
    if (data !== null) {
      if (!matches(source, data)) throw checksumError(source, mirrorPath, data);
      return mirrorPath;
    }
    tried.push(`mirror ${mirrorPath} (missing)`);
  }

  const cachePath = resolve(opts.cacheDir ?? defaultCacheDir(), relative);
  const cached = await readIfExists(cachePath);
  if (cached !== null) {
    if (matches(source, cached)) return cachePath;
    // A damaged cached copy is removed and downloaded again.
    await unlink(cachePath).catch(() => undefined);
    tried.push(`cache ${cachePath} (damaged, removed)`);
  }

  const url = sourceUrl(source, opts.baseUrl);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new ReplayError("INVALID_ARGUMENT", `timeoutMs must be a positive number, got ${timeoutMs}.`);
  }
  let downloadError: unknown;
  let downloaded: Uint8Array | null = null;
  try {
    downloaded = await download(url, source.bytes + 1, timeoutMs);
  } catch (error) {
    downloadError = error;
    tried.push(`download ${url} (${describeError(error)})`);
  }
  if (downloaded !== null) {
    if (!matches(source, downloaded)) throw checksumError(source, url, downloaded);
    try {
      await writeAtomically(cachePath, downloaded);
    } catch (error) {
      throw new ReplayError(
        "WRITE_FAILED",
        `Downloaded ${label} but could not write it to the cache at ${cachePath}: ${describeError(error)}. ` +
          `Set DRR_CACHE_DIR to a writable folder.`,
        { cause: error },
      );
    }
    return cachePath;
  }

  const fallback = opts.fallbackMirror ?? null;
  if (fallback !== null && existsSync(fallback)) {
    const fallbackPath = resolve(fallback, relative);
    const data = await readIfExists(fallbackPath);
    if (data !== null && matches(source, data)) return fallbackPath;
    tried.push(`fallback mirror ${fallbackPath} (${data === null ? "missing" : "wrong checksum"})`);
  }

  throw new ReplayError(
    "DATA_UNAVAILABLE",
    `Could not get ${label}. Tried: ${tried.join("; ")}. ` +
      `Set DRR_DATA_MIRROR to a folder holding <owner>/<repo>/<commit>/<path> copies of the data files, ` +
      `or run with network access to raw.githubusercontent.com.`,
    { cause: downloadError },
  );
}
