import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { isDrrError } from "../../src/errors.js";
import { resolveSource, sourceRelativePath } from "../../src/replay/fetch.js";
import type { DataSource } from "../../src/replay/sources.js";
import { tempDir } from "./helpers.js";
import { caughtAsync as caught } from "../support/caught.js";

const CONTENT = Buffer.from('{"id": 0, "question": "What is 2 + 2?", "answer": "#### 4"}\n', "utf8");

const SOURCE: DataSource = {
  repo: "example-owner/example-repo",
  commit: "0123456789abcdef0123456789abcdef01234567",
  path: "data/sub dir/test.jsonl",
  sha256: createHash("sha256").update(CONTENT).digest("hex"),
  bytes: CONTENT.byteLength,
  license: "MIT",
};

type Mode = "ok" | "wrong" | "missing" | "hang" | "stall-body";

/** A loopback file server whose behaviour the test chooses; it counts the requests it gets. */
class FileServer {
  mode: Mode = "ok";
  paths: string[] = [];
  private server: Server | undefined;
  private open: ServerResponse[] = [];
  baseUrl = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      this.paths.push(decodeURIComponent(req.url ?? ""));
      const expected = `/${SOURCE.repo}/${SOURCE.commit}/${SOURCE.path}`;
      if (this.mode === "missing" || decodeURIComponent(req.url ?? "") !== expected) {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("404: Not Found");
      } else if (this.mode === "wrong") {
        res.writeHead(200);
        res.end(Buffer.from(CONTENT.toString("utf8").replace("4", "5")));
      } else if (this.mode === "hang") {
        this.open.push(res);
      } else if (this.mode === "stall-body") {
        res.writeHead(200, { "content-length": String(CONTENT.byteLength) });
        res.write(CONTENT.subarray(0, 5));
        this.open.push(res);
      } else {
        res.writeHead(200);
        res.end(CONTENT);
      }
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async stop(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

let files: FileServer;
let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  vi.stubEnv("DRR_DATA_MIRROR", "");
  vi.stubEnv("DRR_CACHE_DIR", "");
  files = new FileServer();
  await files.start();
  ({ dir, cleanup } = await tempDir("fetch"));
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await files.stop();
  await cleanup();
});

/** Puts a copy of the file, with the given bytes, below a mirror root. */
async function putInMirror(root: string, bytes: Buffer = CONTENT): Promise<string> {
  const path = join(root, sourceRelativePath(SOURCE));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
  return path;
}

describe("resolveSource", () => {
  it("downloads, verifies and caches the file, then reuses the cache without the network", async () => {
    const cacheDir = join(dir, "cache");
    const opts = { cacheDir, baseUrl: files.baseUrl, fallbackMirror: null };
    const first = await resolveSource(SOURCE, opts);
    expect(first).toBe(join(cacheDir, SOURCE.repo, SOURCE.commit, SOURCE.path));
    expect(await readFile(first)).toEqual(CONTENT);
    expect(files.paths).toEqual([`/${SOURCE.repo}/${SOURCE.commit}/${SOURCE.path}`]);
    // Only the final file remains: the temporary download file was renamed into place.
    expect(await readdir(dirname(first))).toEqual(["test.jsonl"]);

    files.mode = "missing";
    const second = await resolveSource(SOURCE, opts);
    expect(second).toBe(first);
    expect(files.paths).toHaveLength(1);
  });

  it("uses DRR_CACHE_DIR when no cacheDir is given", async () => {
    vi.stubEnv("DRR_CACHE_DIR", join(dir, "env-cache"));
    const path = await resolveSource(SOURCE, { baseUrl: files.baseUrl, fallbackMirror: null });
    expect(path.startsWith(join(dir, "env-cache"))).toBe(true);
  });

  it("replaces a damaged cached copy by downloading again", async () => {
    const cacheDir = join(dir, "cache");
    const cached = await putInMirror(cacheDir, Buffer.from("damaged"));
    const path = await resolveSource(SOURCE, { cacheDir, baseUrl: files.baseUrl, fallbackMirror: null });
    expect(path).toBe(cached);
    expect(await readFile(path)).toEqual(CONTENT);
    expect(files.paths).toHaveLength(1);
  });

  it("fails with CHECKSUM_MISMATCH on wrong bytes and keeps no file", async () => {
    files.mode = "wrong";
    const cacheDir = join(dir, "cache");
    const error = await caught(() => resolveSource(SOURCE, { cacheDir, baseUrl: files.baseUrl, fallbackMirror: null }));
    expect(isDrrError(error, "CHECKSUM_MISMATCH")).toBe(true);
    expect(error.message).toContain(SOURCE.sha256);
    expect(existsSync(cacheDir) ? await readdir(cacheDir, { recursive: true }) : []).not.toContainEqual(
      expect.stringContaining("test.jsonl"),
    );
  });

  it("fails with DATA_UNAVAILABLE on a 404, saying to set DRR_DATA_MIRROR", async () => {
    files.mode = "missing";
    const error = await caught(() =>
      resolveSource(SOURCE, { cacheDir: join(dir, "cache"), baseUrl: files.baseUrl, fallbackMirror: null }),
    );
    expect(isDrrError(error, "DATA_UNAVAILABLE")).toBe(true);
    expect(error.message).toContain("DRR_DATA_MIRROR");
    expect(error.message).toContain("HTTP 404");
  });

  it("times out a download that never answers", async () => {
    files.mode = "hang";
    const started = Date.now();
    const error = await caught(() =>
      resolveSource(SOURCE, { cacheDir: join(dir, "cache"), baseUrl: files.baseUrl, timeoutMs: 200, fallbackMirror: null }),
    );
    expect(isDrrError(error, "DATA_UNAVAILABLE")).toBe(true);
    expect(error.message).toContain("timed out");
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("times out a download whose body stalls", async () => {
    files.mode = "stall-body";
    const error = await caught(() =>
      resolveSource(SOURCE, { cacheDir: join(dir, "cache"), baseUrl: files.baseUrl, timeoutMs: 200, fallbackMirror: null }),
    );
    expect(isDrrError(error, "DATA_UNAVAILABLE")).toBe(true);
    expect(existsSync(join(dir, "cache", sourceRelativePath(SOURCE)))).toBe(false);
  });

  it("reads the mirror in place without touching the cache or the network", async () => {
    const mirror = join(dir, "mirror");
    const mirrored = await putInMirror(mirror);
    const cacheDir = join(dir, "cache");
    expect(await resolveSource(SOURCE, { mirror, cacheDir, baseUrl: files.baseUrl })).toBe(mirrored);
    vi.stubEnv("DRR_DATA_MIRROR", mirror);
    expect(await resolveSource(SOURCE, { cacheDir, baseUrl: files.baseUrl })).toBe(mirrored);
    expect(files.paths).toHaveLength(0);
    expect(existsSync(cacheDir)).toBe(false);
  });

  it("fails with CHECKSUM_MISMATCH when the mirror holds other bytes", async () => {
    const mirror = join(dir, "mirror");
    await putInMirror(mirror, Buffer.from("tampered"));
    const error = await caught(() => resolveSource(SOURCE, { mirror, cacheDir: join(dir, "cache"), baseUrl: files.baseUrl }));
    expect(isDrrError(error, "CHECKSUM_MISMATCH")).toBe(true);
    expect(files.paths).toHaveLength(0);
  });

  it("goes on to the download when the mirror lacks the file", async () => {
    const cacheDir = join(dir, "cache");
    const path = await resolveSource(SOURCE, { mirror: join(dir, "empty-mirror"), cacheDir, baseUrl: files.baseUrl });
    expect(path.startsWith(cacheDir)).toBe(true);
    expect(files.paths).toHaveLength(1);
  });

  it("falls back to the sibling mirror when the download fails", async () => {
    files.mode = "missing";
    const fallbackMirror = join(dir, "shared", "data", "mirror");
    const mirrored = await putInMirror(fallbackMirror);
    const path = await resolveSource(SOURCE, { cacheDir: join(dir, "cache"), baseUrl: files.baseUrl, fallbackMirror });
    expect(path).toBe(mirrored);
    expect(files.paths).toHaveLength(1);
  });

  it("has no default mirror: a ../shared/data/mirror beside the working directory is not read", async () => {
    files.mode = "missing";
    await putInMirror(join(dir, "shared", "data", "mirror"));
    const work = join(dir, "main");
    await mkdir(work);
    const cwd = vi.spyOn(process, "cwd").mockReturnValue(work);
    try {
      const error = await caught(() => resolveSource(SOURCE, { cacheDir: join(dir, "cache"), baseUrl: files.baseUrl }));
      expect(error).toMatchObject({ code: "DATA_UNAVAILABLE" });
      expect((error as Error).message).not.toContain("shared");
      expect((error as Error).message).toContain("Set DRR_DATA_MIRROR");
    } finally {
      cwd.mockRestore();
    }
  });
});
