import { closeSync, mkdirSync, openSync, readSync, statSync } from "node:fs";
import path from "node:path";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { GraphError } from "../errors.js";

/**
 * Persistent checkpointers for the DRR graph, so that a thread outlives the process that ran it:
 * a worker killed mid-run is resumed by another process with `graph.invoke(null, { configurable: { thread_id } })`.
 *
 * - `sqlite:PATH`, `sqlite::memory:` or a plain file path → LangGraph's SQLite saver
 *   (`@langchain/langgraph-checkpoint-sqlite`, the embedded default).
 * - `postgres://…` / `postgresql://…` → LangGraph's PostgreSQL saver (`@langchain/langgraph-checkpoint-postgres`,
 *   for deployments with many workers); its tables are created (`setup()`) before it is returned.
 *   `?schema=NAME` in the URL puts them in that schema (default `public`).
 *
 * Both packages are optional peer dependencies, loaded on first use: a missing one is
 * `GraphError` `CHECKPOINTER_NOT_INSTALLED` naming the package to install.
 */

export type DurableCheckpointerKind = "sqlite" | "postgres";

/** A LangGraph checkpointer with the kind it is and a `close()` that releases its database. */
export type DurableCheckpointer = BaseCheckpointSaver & {
  readonly durableKind: DurableCheckpointerKind;
  /** Closes the SQLite file or the PostgreSQL pool. Idempotent. */
  close(): Promise<void>;
};

export const SQLITE_CHECKPOINTER_PACKAGE = "@langchain/langgraph-checkpoint-sqlite";
export const POSTGRES_CHECKPOINTER_PACKAGE = "@langchain/langgraph-checkpoint-postgres";

/** Where a checkpointer URL points, without opening anything. */
export type CheckpointerTarget = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string; schema: string };

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@");
  }
}

/** Parses a checkpointer URL: `sqlite:PATH`, a file path, or `postgres://…`. Throws `INVALID_ARGUMENT`. */
export function parseCheckpointerUrl(url: string): CheckpointerTarget {
  if (typeof url !== "string" || url.trim() === "") {
    throw new GraphError(
      "INVALID_ARGUMENT",
      `A checkpointer URL must be a non-empty string, got ${JSON.stringify(url)}. Use sqlite:PATH, a file path, or postgres://user:password@host:5432/database.`,
    );
  }
  const value = url.trim();
  if (/^postgres(ql)?:\/\//i.test(value)) {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch (error) {
      throw new GraphError("INVALID_ARGUMENT", `Cannot parse the PostgreSQL URL ${redact(value)}: ${(error as Error).message}.`, { cause: error });
    }
    if (!parsed.hostname && !parsed.searchParams.get("host")) {
      throw new GraphError("INVALID_ARGUMENT", `The PostgreSQL URL ${redact(value)} names no host. Use postgres://user:password@host:5432/database.`);
    }
    const schema = parsed.searchParams.get("schema") ?? "public";
    if (!IDENTIFIER.test(schema)) {
      throw new GraphError("INVALID_ARGUMENT", `The schema ${JSON.stringify(schema)} in ${redact(value)} is not a plain SQL identifier (letters, digits, _).`);
    }
    parsed.searchParams.delete("schema");
    return { kind: "postgres", url: parsed.toString(), schema };
  }
  if (/^sqlite:/i.test(value)) {
    let file = value.slice("sqlite:".length);
    if (file.startsWith("//")) file = file.slice(2);
    if (file === "") {
      throw new GraphError("INVALID_ARGUMENT", `${JSON.stringify(value)} names no SQLite file. Use sqlite:PATH (e.g. sqlite:./drr-threads.db) or sqlite::memory:.`);
    }
    return { kind: "sqlite", path: file === ":memory:" ? file : path.resolve(file) };
  }
  // Any other scheme (mysql://, http://, redis://…) is not a file path: refuse rather than create a file named after it.
  if (/^[A-Za-z][A-Za-z0-9+.-]+:/.test(value)) {
    throw new GraphError(
      "INVALID_ARGUMENT",
      `Unsupported checkpointer URL ${redact(value)}: use sqlite:PATH, a file path, or postgres://user:password@host:5432/database.`,
    );
  }
  return { kind: "sqlite", path: path.resolve(value) };
}

function isModuleNotFound(error: unknown, name: string): boolean {
  const e = error as { code?: string; message?: string } | undefined;
  return (e?.code === "ERR_MODULE_NOT_FOUND" || e?.code === "MODULE_NOT_FOUND") && String(e?.message).includes(name);
}

function notInstalled(pkg: string, cause: unknown, extra = ""): GraphError {
  return new GraphError(
    "CHECKPOINTER_NOT_INSTALLED",
    `The checkpointer needs ${pkg}, which is not installed${extra}. Install it with \`npm install ${pkg}\`.`,
    { cause },
  );
}

/** Imports an optional saver package; a missing one (or its driver) is `CHECKPOINTER_NOT_INSTALLED`. Exported for tests. */
export async function loadCheckpointerPackage<T>(pkg: string, importer: () => Promise<T>): Promise<T> {
  try {
    return await importer();
  } catch (error) {
    if (isModuleNotFound(error, pkg) || isModuleNotFound(error, "better-sqlite3") || isModuleNotFound(error, "'pg'")) {
      throw notInstalled(pkg, error);
    }
    throw error;
  }
}

/** Refuses an existing non-empty file that is not a SQLite database (a model, a JSONL file…): it is never touched. */
function checkSqliteFile(file: string): void {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) {
      throw new GraphError("INVALID_ARGUMENT", `The SQLite checkpointer path ${file} exists and is not a regular file.`);
    }
    size = stat.size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      mkdirSync(path.dirname(file), { recursive: true });
      return;
    }
    throw error;
  }
  if (size === 0) return;
  const header = Buffer.alloc(16);
  const fd = openSync(file, "r");
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString("latin1") !== "SQLite format 3\u0000") {
    throw new GraphError(
      "NOT_A_SQLITE_FILE",
      `${file} exists and is not a SQLite database; the checkpointer will not write into it. Choose another path.`,
    );
  }
}

async function sqliteCheckpointer(file: string): Promise<DurableCheckpointer> {
  const { SqliteSaver } = await loadCheckpointerPackage(SQLITE_CHECKPOINTER_PACKAGE, () => import("@langchain/langgraph-checkpoint-sqlite"));
  if (file !== ":memory:") checkSqliteFile(file);
  let saver: InstanceType<typeof SqliteSaver>;
  try {
    saver = SqliteSaver.fromConnString(file);
  } catch (error) {
    const message = String((error as Error)?.message);
    if (/bindings file|better_sqlite3\.node|NODE_MODULE_VERSION/i.test(message)) {
      throw notInstalled(SQLITE_CHECKPOINTER_PACKAGE, error, " with a working native better-sqlite3 (run `npm rebuild better-sqlite3`)");
    }
    throw new GraphError("CHECKPOINTER_UNAVAILABLE", `Cannot open the SQLite checkpointer at ${file}: ${message}`, { cause: error });
  }
  // WAL lets a reader (another process resuming a thread) and a writer work on one file; wait for locks instead of failing.
  try {
    saver.db.pragma("busy_timeout = 10000");
    if (file !== ":memory:") saver.db.pragma("journal_mode = WAL");
  } catch (error) {
    saver.db.close();
    throw new GraphError("NOT_A_SQLITE_FILE", `Cannot use ${file} as a SQLite checkpointer: ${(error as Error).message}`, { cause: error });
  }
  let closed = false;
  return Object.assign(saver, {
    durableKind: "sqlite" as const,
    async close() {
      if (closed) return;
      closed = true;
      saver.db.close();
    },
  });
}

const SETUP_RACE_CODES = new Set(["23505", "42P07", "42710", "40P01"]);

async function postgresCheckpointer(url: string, schema: string): Promise<DurableCheckpointer> {
  const { PostgresSaver } = await loadCheckpointerPackage(POSTGRES_CHECKPOINTER_PACKAGE, () => import("@langchain/langgraph-checkpoint-postgres"));
  const saver = PostgresSaver.fromConnString(url, { schema });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await saver.end();
  };
  // Workers starting together race on CREATE … IF NOT EXISTS (a unique violation in the catalogue): try again.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await saver.setup();
      break;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== undefined && SETUP_RACE_CODES.has(code) && attempt < 5) {
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
        continue;
      }
      await close().catch(() => undefined);
      throw new GraphError(
        "CHECKPOINTER_UNAVAILABLE",
        `Cannot set up the PostgreSQL checkpointer at ${redact(url)} (schema ${schema}): ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  return Object.assign(saver, { durableKind: "postgres" as const, close });
}

/**
 * A persistent checkpointer from a URL: `sqlite:PATH` or a file path (SQLite, the embedded default),
 * `postgres://…` (PostgreSQL, tables set up). Pass it as `createDrrGraph({ checkpointer })` and
 * `close()` it when done.
 *
 * Errors (`GraphError`): `INVALID_ARGUMENT`, `CHECKPOINTER_NOT_INSTALLED` (names the package),
 * `NOT_A_SQLITE_FILE` (an existing file that is not a SQLite database is left untouched),
 * `CHECKPOINTER_UNAVAILABLE` (the database cannot be opened or reached).
 */
export async function durableCheckpointer(url: string): Promise<DurableCheckpointer> {
  const target = parseCheckpointerUrl(url);
  return target.kind === "sqlite" ? sqliteCheckpointer(target.path) : postgresCheckpointer(target.url, target.schema);
}
