/**
 * What an integration test needs from outside the repository (recorded data, a PostgreSQL server,
 * Jupyter), checked the same way in every tests/**\/*.int.test.ts:
 *
 *   const data = await replayData("gsm8k");
 *   describeWith([data], "drr collect on the GSM8K replay data", () => { ... });
 *
 * When a requirement is met the tests run. When it is not, they are skipped with one stated reason
 * in their title (and one console line), except under CI (`CI` set, as `.ci/run` does), where a
 * single failing test states the reason instead: CI provides all of them, so a missing one is a
 * broken set-up, never a silent skip.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, it } from "vitest";
import { isDrrError } from "../../src/errors.js";
import { defaultCacheDir, sourceRelativePath } from "../../src/replay/fetch.js";
import { loadDataset, type DatasetName } from "../../src/replay/loaders.js";
import type { DataSource } from "../../src/replay/sources.js";

/** One thing a test needs: met, or not with the reason and how to provide it. */
export interface Requirement {
  readonly met: boolean;
  /** Empty when met; otherwise one sentence: what is missing and how to provide it. */
  readonly reason: string;
}

/** Requirements that hold a value when met. */
export interface ValueRequirement<T> extends Requirement {
  readonly value: T | undefined;
}

const met = <T>(value: T): ValueRequirement<T> => ({ met: true, reason: "", value });
const unmet = (reason: string): ValueRequirement<never> => ({ met: false, reason, value: undefined });

/** `$DRR_DATA_MIRROR` when it is set (the library has no default mirror). */
function mirrorEnv(): string | undefined {
  const value = process.env.DRR_DATA_MIRROR?.trim();
  return value ? resolve(value) : undefined;
}

/**
 * The replay data sets, read from `$DRR_DATA_MIRROR` or an earlier download in the cache
 * (`$DRR_CACHE_DIR` or ~/.cache/langgraph-drr), never from the network. Loading them here also
 * builds them once for the test file (`loadDataset` keeps them per process).
 */
export async function replayData(...names: DatasetName[]): Promise<Requirement> {
  for (const name of names) {
    try {
      // An unroutable download address: a file that is in neither the mirror nor the cache fails fast.
      await loadDataset(name, { baseUrl: "http://127.0.0.1:9/", timeoutMs: 2_000 });
    } catch (error) {
      if (!isDrrError(error, "DATA_UNAVAILABLE")) throw error;
      const mirror = mirrorEnv();
      return unmet(
        `the "${name}" replay data is not available offline: ${mirror === undefined ? "DRR_DATA_MIRROR is not set" : `DRR_DATA_MIRROR=${mirror} does not hold it`} ` +
          `and ${defaultCacheDir()} has no downloaded copy. Set DRR_DATA_MIRROR to the mirror of the public files, ` +
          `or download them once with network access (npx drr bench --dataset ${name}).`,
      );
    }
  }
  return met(undefined);
}

/** The mirror of the public files itself (`$DRR_DATA_MIRROR`), for tests that read its files in place. */
export function dataMirror(...sources: DataSource[]): ValueRequirement<string> {
  const mirror = mirrorEnv();
  if (mirror === undefined || !existsSync(mirror)) {
    return unmet(
      mirror === undefined
        ? "DRR_DATA_MIRROR is not set; set it to the folder mirroring the public data files (<owner>/<repo>/<commit>/<path>)."
        : `DRR_DATA_MIRROR=${mirror} does not exist; set it to the folder mirroring the public data files.`,
    );
  }
  const missing = sources.find((source) => !existsSync(join(mirror, sourceRelativePath(source))));
  if (missing !== undefined) {
    return unmet(`DRR_DATA_MIRROR=${mirror} does not hold ${missing.repo}/${missing.commit}/${missing.path}; point it at a complete mirror.`);
  }
  return met(mirror);
}

/** A PostgreSQL server for the tests: `$DRR_TEST_POSTGRES_URL`. */
export function postgresServer(): ValueRequirement<string> {
  const url = process.env.DRR_TEST_POSTGRES_URL?.trim();
  if (url) return met(url);
  return unmet(
    "DRR_TEST_POSTGRES_URL is not set. .ci/run starts a server with scripts/postgres.sh and sets it; " +
      'locally, bash scripts/postgres.sh start "$(mktemp -d)" prints a URL to export as DRR_TEST_POSTGRES_URL.',
  );
}

/** Jupyter with nbconvert, to execute the notebooks (scripts/notebooks.sh check). */
export function jupyter(script: string): Requirement {
  if (spawnSync("bash", [script, "check"], { stdio: "ignore" }).status === 0) return met(undefined);
  return unmet(
    "Jupyter is not installed; install it with `bash scripts/notebooks.sh install-jupyter` " +
      "(Debian packages jupyter-nbconvert, python3-nbclient and jupyter-client).",
  );
}

/** The first unmet requirement's reason, or undefined when all are met. */
export function unmetReason(requirements: readonly Requirement[]): string | undefined {
  return requirements.find((r) => !r.met)?.reason;
}

/** True under CI, where every requirement is provided and a missing one fails. */
export function inCi(): boolean {
  const value = process.env.CI;
  return value !== undefined && value !== "" && value !== "false" && value !== "0";
}

/**
 * `describe(title, body)` when every requirement is met. Otherwise the block is skipped with the
 * reason in its title, or, under CI, replaced by one failing test that states the reason.
 */
export function describeWith(requirements: readonly Requirement[], title: string, body: () => void): void {
  const reason = unmetReason(requirements);
  if (reason === undefined) {
    describe(title, body);
  } else if (inCi()) {
    describe(title, () => {
      it("has what it needs", () => {
        throw new Error(`Cannot run "${title}": ${reason}`);
      });
    });
  } else {
    console.warn(`Skipping "${title}": ${reason}`);
    describe.skip(`${title} (skipped: ${reason})`, body);
  }
}

/**
 * A table of its own on the test server (`drr_table=` in the URL), so that tests and test runs never
 * share rows; dropped after the enclosing describe. Call it inside a `describeWith([postgres, …])`:
 * in a skipped describe (no server) the URL is empty and nothing is dropped.
 */
export function freshPostgresTable(postgres: ValueRequirement<string>): { url: string; table: string } {
  const baseUrl = postgres.value ?? "";
  const table = `drr_test_${randomBytes(6).toString("hex")}`;
  const url = `${baseUrl}${baseUrl.includes("?") ? "&" : "?"}drr_table=${table}`;
  afterAll(async () => {
    if (!postgres.met) return;
    const { default: pg } = await import("pg");
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    await admin.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await admin.end();
  });
  return { url, table };
}
