/**
 * Builds the SVAMP replay dataset: Faithful-COT's 1000 SVAMP test questions with the 6
 * Faithful-COT models' recorded solutions, cross-checked against arkilpatel/SVAMP.
 */
import type { LoadedDataset } from "./dataset-types.js";
import { traceHistogram } from "./dataset-types.js";
import { readFaithfulCotTraces } from "./faithful-cot.js";
import type { ResolveOptions } from "./fetch.js";
import type { ReplayItem, ReplayTrace } from "./format.js";
import {
  goldAfterHashes,
  indexField,
  readSourceJson,
  readSourceJsonl,
  sourceInvalid,
  sourceLabel,
  sourceMismatch,
  stringField,
} from "./source-reader.js";
import { DATA_SOURCES } from "./sources.js";

/** Number of SVAMP questions. */
export const SVAMP_SIZE = 1000;

/** Lower-case letters and digits only: how the two SVAMP copies are compared. */
function alignmentKey(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "");
}

/**
 * Checks that row i of arkilpatel's SVAMP.json is question i of Faithful-COT's copy: same
 * Body + Question text (ignoring case, spacing and punctuation) and the same numeric answer.
 */
function crossCheck(questions: { text: string; gold: string }[], svamp: unknown): string {
  const label = sourceLabel(DATA_SOURCES.svampJson);
  if (!Array.isArray(svamp)) sourceInvalid(label, "not a JSON array");
  if (svamp.length !== questions.length) {
    sourceMismatch(`${label} has ${svamp.length} problems, Faithful-COT's SVAMP test set ${questions.length}`);
  }
  questions.forEach((q, i) => {
    const row = svamp[i] as { Body?: unknown; Question?: unknown; Answer?: unknown } | null;
    if (typeof row?.Body !== "string" || typeof row.Question !== "string" || typeof row.Answer !== "number") {
      sourceInvalid(`${label}[${i}]`, "needs a string Body, a string Question and a numeric Answer");
    }
    if (alignmentKey(`${row.Body} ${row.Question}`) !== alignmentKey(q.text)) {
      sourceMismatch(`${label}[${i}] does not have the text of Faithful-COT SVAMP question ${i}`);
    }
    if (row.Answer !== Number(q.gold)) {
      sourceMismatch(`${label}[${i}] has answer ${row.Answer}, Faithful-COT SVAMP question ${i} has gold ${q.gold}`);
    }
  });
  return `${questions.length}/${questions.length} arkilpatel/SVAMP rows align with Faithful-COT's SVAMP by index (text and answer)`;
}

/** Builds the SVAMP replay items `svamp-<id>`, with traces in Faithful-COT model order. */
export async function buildSvamp(opts?: ResolveOptions): Promise<LoadedDataset> {
  const [rows, svamp, faithful] = await Promise.all([
    readSourceJsonl(DATA_SOURCES.faithfulSvampTest, opts),
    readSourceJson(DATA_SOURCES.svampJson, opts),
    readFaithfulCotTraces("svamp", SVAMP_SIZE, opts),
  ]);
  if (rows.length !== SVAMP_SIZE) {
    sourceInvalid(sourceLabel(DATA_SOURCES.faithfulSvampTest), `expected ${SVAMP_SIZE} questions, found ${rows.length}`);
  }
  const questions = rows.map((row, i) => {
    if (indexField(row, "id") !== i) sourceInvalid(row.where, `expected id ${i}`);
    return { text: stringField(row, "question"), gold: goldAfterHashes(stringField(row, "answer"), row.where) };
  });
  const checks = [crossCheck(questions, svamp)];
  const items: ReplayItem[] = questions.map((q, i) => ({
    id: `svamp-${i}`,
    question: q.text,
    gold: q.gold,
    answerKind: "number",
    traces: faithful.map((f) => f.byId[i]).filter((t): t is ReplayTrace => t !== undefined),
  }));
  return {
    items,
    report: {
      name: "svamp",
      questions: items.length,
      traces: items.reduce((sum, item) => sum + item.traces.length, 0),
      tracesPerQuestion: traceHistogram(items),
      joins: faithful.map((f) => f.join),
      checks,
    },
  };
}
