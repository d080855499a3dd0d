import { createHash } from "node:crypto";
import type { Client, Pool, PoolConfig } from "pg";
import { BehaviorError } from "../errors.js";
import type { AttemptRecord } from "./record.js";
import { readRecords, type BehaviorSink, type ReadOptions, type RecordsResult, type SinkItem } from "./sinks.js";
import { isTrajectory } from "./trajectory.js";
import { parseRecord } from "./validate.js";

/** The table the PostgreSQL sink writes to unless told otherwise. */
export const DEFAULT_POSTGRES_TABLE = "drr_behavior";

/** True for a `postgres://` or `postgresql://` URL (the sink, `--out` and `--data` take either). */
export function isPostgresUrl(value: unknown): value is string {
  return typeof value === "string" && /^postgres(ql)?:\/\//i.test(value.trim());
}

type PgModule = typeof import("pg");

let pgModule: Promise<PgModule> | undefined;

/** Loads the optional `pg` client on first use; `PG_NOT_INSTALLED` when it is missing. */
async function loadPg(): Promise<PgModule> {
  pgModule ??= import("pg").then(
    (m) => ((m as unknown as { default?: PgModule }).default ?? m) as PgModule,
    (error: unknown) => {
      pgModule = undefined;
      throw new BehaviorError(
        "PG_NOT_INSTALLED",
        `Writing to or reading from PostgreSQL needs the "pg" package, which is not installed (${error instanceof Error ? error.message : String(error)}). Run: npm install pg`,
        { cause: error },
      );
    },
  );
  return pgModule;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "postgres://(unparsable URL)";
  }
}

const TABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Splits off the `drr_table` query parameter (ours, not the driver's) and checks the table name. */
function parseTarget(url: string, table: string | undefined): { connectionString: string; table: string } {
  if (!isPostgresUrl(url)) {
    throw new BehaviorError("SINK_NOT_WRITABLE", `Not a PostgreSQL URL: ${JSON.stringify(url)}. Use postgres://user:password@host:5432/database.`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch (error) {
    throw new BehaviorError("INVALID_ARGUMENT", `Cannot parse the PostgreSQL URL ${redactUrl(url)}: ${(error as Error).message}.`, { cause: error });
  }
  const fromUrl = parsed.searchParams.get("drr_table");
  parsed.searchParams.delete("drr_table");
  const name = table ?? fromUrl ?? DEFAULT_POSTGRES_TABLE;
  if (!TABLE_NAME.test(name)) {
    throw new BehaviorError("INVALID_ARGUMENT", `The table name ${JSON.stringify(name)} is not a plain SQL identifier (letters, digits and _, at most 63).`);
  }
  return { connectionString: parsed.toString(), table: name };
}

/** The unique key of an item: (kind, question id, trajectory/run id, attempt). */
function keyOf(item: SinkItem, json: string): [string, string, string, number] {
  if (isTrajectory(item)) return ["trajectory", item.questionId ?? "", item.id, -1];
  const r = item as AttemptRecord;
  // A record without a run id is keyed by its content, so writing it twice still stores it once.
  const run = typeof r.trajectoryId === "string" ? r.trajectoryId : `sha256:${createHash("sha256").update(json).digest("hex")}`;
  return ["record", String(r.questionId), run, Number.isInteger(r.attempt) ? r.attempt : -1];
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface PostgresSinkOptions {
  /** The table (created if missing). Defaults to the URL's `drr_table` parameter, else "drr_behavior". */
  table?: string;
  /** Connections the sink's pool may open. Defaults to 4. */
  maxConnections?: number;
  /** Extra `pg` pool settings (ssl, timeouts...). */
  pool?: Omit<PoolConfig, "connectionString" | "max">;
}

/** What a PostgresSink wrote. */
export interface PostgresSinkStats {
  /** Items stored by this sink. */
  written: number;
  /** Items whose key (question, run, attempt) was already stored: not stored again. */
  duplicates: number;
  /** Items that could not be stored (their writes rejected with SINK_WRITE_FAILED). */
  lost: number;
}

interface Pending {
  item: SinkItem;
  json: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** A queue of inserts on one connection (the pool's, or a claim's), written in batches. */
class InsertQueue {
  private pending: Pending[] = [];
  private draining: Promise<void> | undefined;

  constructor(
    private readonly run: (batch: Pending[]) => Promise<void>,
    private readonly onFailure: (batch: Pending[], error: unknown) => void,
  ) {}

  push(p: Pending): void {
    this.pending.push(p);
    this.drain();
  }

  private drain(): void {
    // Started a microtask later, so that the items queued in the same tick go out in one INSERT.
    this.draining ??= Promise.resolve()
      .then(async () => {
        while (this.pending.length > 0) {
          const batch = this.pending.splice(0, 500);
          try {
            await this.run(batch);
          } catch (error) {
            // Could not even start (no connection): every item of the batch is lost.
            this.onFailure(batch, error);
          }
        }
      })
      .finally(() => {
        this.draining = undefined;
        if (this.pending.length > 0) this.drain();
      });
  }

  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }
}

/**
 * A question held by one worker: a PostgreSQL session-level advisory lock on its own connection.
 * The question's records are inserted on that same connection, so when the worker dies the lock is
 * released only after its last insert has committed: the next worker that takes the question sees
 * every record the dead one stored.
 */
export interface QuestionClaim {
  readonly questionId: string;
  /** Deletes the question's records (a dead worker's incomplete run); returns how many. */
  clear(): Promise<number>;
  /** Waits for the question's inserts, then releases the lock and the connection. */
  release(): Promise<void>;
}

/**
 * Stores behavioural data in PostgreSQL, exactly once: one table (created if missing) whose primary
 * key is (kind, question_id, trajectory_id, attempt), written with `INSERT ... ON CONFLICT DO
 * NOTHING`, the item itself as JSONB. Any number of sinks in any number of processes may write to
 * one table at once: a record written twice (a retry, a resumed run) is stored once and counted in
 * `duplicates`. Uses the optional `pg` package, loaded on first use (`PG_NOT_INSTALLED` when
 * missing). The constructor only checks the URL; the first write connects and creates the table.
 *
 * Writes queued in the same tick go out in one multi-row INSERT; when a batch fails, its items are
 * retried one by one, so one bad item (e.g. a string with a NUL character, which JSONB refuses)
 * loses only itself.
 */
export class PostgresSink implements BehaviorSink {
  readonly concurrentWrites = true;
  /** The URL without its password. */
  readonly url: string;
  readonly table: string;
  written = 0;
  duplicates = 0;
  lost = 0;
  private readonly connectionString: string;
  private readonly options: PostgresSinkOptions;
  private poolPromise: Promise<Pool> | undefined;
  private readonly queue: InsertQueue;
  private readonly claimQueues = new Map<string, { client: Client; queue: InsertQueue }>();
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  constructor(url: string, options: PostgresSinkOptions = {}) {
    const target = parseTarget(url, options.table);
    this.connectionString = target.connectionString;
    this.table = target.table;
    this.url = redactUrl(url);
    this.options = options;
    this.queue = new InsertQueue(async (batch) => {
      const pool = await this.pool();
      await this.insert((text, values) => pool.query(text, values), batch);
    }, this.fail);
  }

  get stats(): PostgresSinkStats {
    return { written: this.written, duplicates: this.duplicates, lost: this.lost };
  }

  /** The connection pool, connected and with the table created, on first use. */
  pool(): Promise<Pool> {
    this.poolPromise ??= (async () => {
      const pg = await loadPg();
      const pool = new pg.Pool({ ...this.options.pool, connectionString: this.connectionString, max: this.options.maxConnections ?? 4 });
      // An idle connection that breaks must not crash the process; the next query reconnects.
      pool.on("error", () => undefined);
      try {
        await ensureTable(pool, this.table);
      } catch (error) {
        await pool.end().catch(() => undefined);
        throw new BehaviorError("SINK_NOT_WRITABLE", `Cannot use PostgreSQL at ${this.url} (table ${this.table}): ${describe(error)}.`, { cause: error });
      }
      return pool;
    })();
    this.poolPromise.catch(() => {
      this.poolPromise = undefined;
    });
    return this.poolPromise;
  }

  write(item: SinkItem): Promise<void> {
    if (this.closed) return Promise.reject(new BehaviorError("SINK_CLOSED", `The PostgreSQL sink for ${this.url} is closed; create a new one to write more.`));
    let json: string | undefined;
    try {
      json = JSON.stringify(item);
    } catch (error) {
      return Promise.reject(new BehaviorError("SINK_WRITE_FAILED", `Cannot serialise an item for ${this.url}: ${describe(error)}.`, { cause: error }));
    }
    if (typeof json !== "string" || typeof item !== "object" || item === null) {
      return Promise.reject(new BehaviorError("SINK_WRITE_FAILED", `Cannot store ${String(item)} in ${this.url}: not a record or a trajectory.`));
    }
    const questionId = (item as { questionId?: unknown }).questionId;
    const claimed = typeof questionId === "string" && !isTrajectory(item) ? this.claimQueues.get(questionId) : undefined;
    const done = new Promise<void>((resolve, reject) => (claimed?.queue ?? this.queue).push({ item, json: json as string, resolve, reject }));
    const tracked = done.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(tracked);
    void tracked.then(() => this.inFlight.delete(tracked));
    return done;
  }

  async flush(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flush();
    for (const { client } of this.claimQueues.values()) await client.end().catch(() => undefined);
    this.claimQueues.clear();
    const pool = await this.poolPromise?.catch(() => undefined);
    await pool?.end();
  }

  /**
   * Takes `questionId` for this worker, or returns null when another worker (any process) holds it.
   * Until released, this sink stores the question's records on the claim's connection.
   */
  async claim(questionId: string): Promise<QuestionClaim | null> {
    if (this.closed) throw new BehaviorError("SINK_CLOSED", `The PostgreSQL sink for ${this.url} is closed.`);
    if (this.claimQueues.has(questionId)) return null;
    // Its own connection, outside the pool: the pool stays free for reads and other writes, and the
    // lock lives exactly as long as this connection.
    await this.pool();
    const pg = await loadPg();
    const client = new pg.Client({ ...this.options.pool, connectionString: this.connectionString });
    client.on("error", () => undefined);
    let ok = false;
    try {
      await client.connect();
      const { rows } = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok", [`${this.table}:${questionId}`]);
      ok = rows[0]?.ok === true && !this.claimQueues.has(questionId);
    } finally {
      if (!ok) await client.end().catch(() => undefined);
    }
    if (!ok) return null;
    const queue = new InsertQueue((batch) => this.insert((text, values) => client.query(text, values), batch), this.fail);
    this.claimQueues.set(questionId, { client, queue });
    let released = false;
    return {
      questionId,
      clear: async () => {
        const r = await client.query(`DELETE FROM ${this.table} WHERE kind = 'record' AND question_id = $1`, [questionId]);
        return r.rowCount ?? 0;
      },
      release: async () => {
        if (released) return;
        released = true;
        await queue.idle();
        this.claimQueues.delete(questionId);
        await client.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [`${this.table}:${questionId}`]).catch(() => undefined);
        // Closing the connection releases its lock in any case (after its last insert has committed).
        await client.end().catch(() => undefined);
      },
    };
  }

  /** The stored records of these questions (all when `questionIds` is omitted), by question. */
  async recordsByQuestion(questionIds?: readonly string[]): Promise<Map<string, AttemptRecord[]>> {
    const pool = await this.pool();
    const result = new Map<string, AttemptRecord[]>();
    const { rows } = await pool.query<{ item: AttemptRecord }>(
      questionIds === undefined
        ? `SELECT item FROM ${this.table} WHERE kind = 'record' ORDER BY seq`
        : `SELECT item FROM ${this.table} WHERE kind = 'record' AND question_id = ANY($1::text[]) ORDER BY seq`,
      questionIds === undefined ? [] : [questionIds],
    );
    for (const { item } of rows) {
      const list = result.get(item.questionId);
      if (list) list.push(item);
      else result.set(item.questionId, [item]);
    }
    return result;
  }

  private readonly fail = (batch: Pending[], error: unknown): void => {
    this.lost += batch.length;
    const wrapped =
      error instanceof BehaviorError ? error : new BehaviorError("SINK_WRITE_FAILED", `Storing ${batch.length} item(s) in ${this.url} failed: ${describe(error)}.`, { cause: error });
    for (const p of batch) p.reject(wrapped);
  };

  private async insert(query: (text: string, values: unknown[]) => Promise<{ rowCount: number | null }>, batch: Pending[]): Promise<void> {
    const run = async (items: Pending[]) => {
      const values: unknown[] = [];
      const tuples = items.map((p) => {
        const [kind, q, t, a] = keyOf(p.item, p.json);
        values.push(kind, q, t, a, p.json);
        const i = values.length;
        return `($${i - 4}, $${i - 3}, $${i - 2}, $${i - 1}, $${i}::jsonb)`;
      });
      const r = await query(
        `INSERT INTO ${this.table} (kind, question_id, trajectory_id, attempt, item) VALUES ${tuples.join(", ")} ON CONFLICT DO NOTHING`,
        values,
      );
      return r.rowCount ?? 0;
    };
    try {
      const stored = await run(batch);
      this.written += stored;
      this.duplicates += batch.length - stored;
      for (const p of batch) p.resolve();
      return;
    } catch (error) {
      if (batch.length === 1) {
        this.lost += 1;
        (batch[0] as Pending).reject(
          new BehaviorError("SINK_WRITE_FAILED", `Storing an item in ${this.url} (table ${this.table}) failed: ${describe(error)}.`, { cause: error }),
        );
        return;
      }
    }
    // The batch failed: one at a time, so that only the bad items are lost.
    for (const p of batch) await this.insert(query, [p]);
  }
}

/** Creates the table and its index if missing; concurrent callers are serialised by a transaction-level advisory lock. */
async function ensureTable(pool: Pool, table: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`drr-create-table:${table}`]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${table} (
        kind text NOT NULL CHECK (kind IN ('record', 'trajectory')),
        question_id text NOT NULL,
        trajectory_id text NOT NULL,
        attempt integer NOT NULL,
        item jsonb NOT NULL,
        seq bigserial NOT NULL,
        written_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (kind, question_id, trajectory_id, attempt)
      )`,
    );
    await client.query(`CREATE INDEX IF NOT EXISTS ${table}_seq ON ${table} (seq)`);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export interface PostgresReadOptions extends ReadOptions {
  table?: string;
}

/**
 * Reads the attempt records of a PostgreSQL table, in the order they were stored, a page at a
 * time. Records that fail validation are skipped and counted, trajectories counted in `ignored`;
 * the table's key makes duplicates impossible. Throws `TABLE_NOT_FOUND` when the table is missing.
 */
export async function readPostgresRecords(url: string, options: PostgresReadOptions = {}): Promise<RecordsResult> {
  const { connectionString, table } = parseTarget(url, options.table);
  const where = redactUrl(url);
  const pg = await loadPg();
  const client = new pg.Client({ connectionString });
  client.on("error", () => undefined);
  const result: RecordsResult = { records: [], skipped: 0, ignored: 0, duplicates: 0, invalidUtf8: 0, tooLong: 0, problems: [] };
  try {
    await client.connect();
    const exists = await client.query<{ t: string | null }>("SELECT to_regclass($1) AS t", [table]);
    if (exists.rows[0]?.t == null) {
      throw new BehaviorError("TABLE_NOT_FOUND", `${where} has no table ${table}. Check the URL (and its drr_table parameter), or collect into it first.`);
    }
    const counted = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE kind = 'trajectory'`);
    result.ignored = Number(counted.rows[0]?.n ?? 0);
    let after = "0";
    for (;;) {
      const page = await client.query<{ seq: string; item: unknown }>(
        `SELECT seq, item FROM ${table} WHERE kind = 'record' AND seq > $1 ORDER BY seq LIMIT 5000`,
        [after],
      );
      for (const row of page.rows) {
        const parsed = parseRecord(row.item);
        if ("record" in parsed) result.records.push(parsed.record);
        else {
          result.skipped += 1;
          if (result.problems.length < 20) result.problems.push({ line: Number(row.seq), reason: parsed.problem });
        }
      }
      if (page.rows.length < 5000) break;
      after = (page.rows.at(-1) as { seq: string }).seq;
    }
  } catch (error) {
    if (error instanceof BehaviorError) throw error;
    throw new BehaviorError("READ_FAILED", `Reading records from ${where} (table ${table}) failed: ${describe(error)}.`, { cause: error });
  } finally {
    await client.end().catch(() => undefined);
  }
  if (result.skipped > 0) {
    const first = result.problems[0];
    (options.warn ?? console.warn)(
      `langgraph-drr: skipped ${result.skipped} invalid record(s) while reading ${where} (table ${table})` +
        (first ? ` (first: seq ${first.line}, ${first.reason}).` : "."),
    );
  }
  return result;
}

/** Reads attempt records from a JSON Lines file or a `postgres://` URL. */
export function readRecordsFrom(source: string, options: PostgresReadOptions = {}): Promise<RecordsResult> {
  return isPostgresUrl(source) ? readPostgresRecords(source, options) : readRecords(source, options);
}
