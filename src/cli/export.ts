import { existsSync, realpathSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { isPostgresUrl, readRecordsFrom, redactUrl } from "../behavior/postgres-sink.js";
import type { AttemptRecord } from "../behavior/record.js";
import { JsonlSink, readRecords } from "../behavior/sinks.js";
import { BehaviorError } from "../errors.js";
import { UsageError } from "./args.js";
import { defineCommand, helpText, parseOptions } from "./options.js";

export const EXPORT = defineCommand({
  name: "export",
  summary:
    "Copies the attempt records of a postgres:// URL (or a JSON Lines file) into a JSON Lines file; records already there are not written again",
  options: {
    from: { type: "string", placeholder: "URL|FILE", required: true, description: "where the records are: a postgres:// URL or a JSON Lines file" },
    out: { type: "string", placeholder: "FILE.jsonl", required: true, description: "the JSON Lines file to append them to" },
  },
});

function key(r: AttemptRecord): string {
  return JSON.stringify([r.questionId, r.trajectoryId ?? null, r.attempt]);
}

/**
 * `drr export`: copies the attempt records of a PostgreSQL URL (or a JSON Lines file) into a JSON
 * Lines file. The target is appended to through a `JsonlSink`, so it is locked while written and a
 * file that is not behavioural data is refused (NOT_A_BEHAVIOR_FILE) and left untouched. Records
 * already in the target (same question, run and attempt) are not written again, so exporting twice
 * is harmless.
 */
export async function exportCommand(argv: string[]): Promise<number> {
  const flags = parseOptions(EXPORT, argv);
  if (flags.help) {
    console.log(helpText(EXPORT));
    return 0;
  }
  if (isPostgresUrl(flags.out)) {
    throw new UsageError("INVALID_ARGUMENT", "--out must be a JSON Lines file; to copy into PostgreSQL, run drr collect --out with the URL.");
  }
  const fromPostgres = isPostgresUrl(flags.from);
  const from = fromPostgres ? redactUrl(flags.from) : resolve(flags.from);
  const out = resolve(flags.out);
  if (!fromPostgres && existsSync(from) && existsSync(out) && realpathSync(from) === realpathSync(out)) {
    throw new BehaviorError("OUT_IS_INPUT", `--out ${out} is the --from file itself. Choose another --out.`);
  }
  // Opened first: a target that is not behavioural data, or locked by a writer, fails before reading.
  const sink = new JsonlSink(out);
  try {
    const present = new Set<string>();
    if (statSync(out).size > 0) {
      for (const r of (await readRecords(out, { warn: () => undefined })).records) present.add(key(r));
    }
    const { records, skipped } = await readRecordsFrom(fromPostgres ? flags.from : from, { warn: () => undefined });
    let written = 0;
    let already = 0;
    const writes: Promise<void>[] = [];
    for (const r of records) {
      const k = key(r);
      if (present.has(k)) {
        already += 1;
        continue;
      }
      present.add(k);
      writes.push(sink.write(r));
      written += 1;
      if (writes.length >= 1000) await Promise.all(writes.splice(0));
    }
    await Promise.all(writes);
    await sink.flush();
    console.log(
      `Exported ${written} records from ${from} to ${out}` +
        (already > 0 ? ` (${already} already there, not written again)` : "") +
        (skipped > 0 ? `; ${skipped} invalid records skipped` : "") +
        ".",
    );
    return sink.lost > 0 ? 1 : 0;
  } finally {
    await sink.close();
  }
}
