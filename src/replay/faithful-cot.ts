/**
 * Reads the Faithful-COT greedy chain-of-thought predictions of its six models on one dataset.
 */
import type { ReplayTrace } from "./format.js";
import type { SourceJoin } from "./dataset-types.js";
import type { ResolveOptions } from "./fetch.js";
import { indexField, readSourceJsonl, sourceInvalid, stringField } from "./source-reader.js";
import { FAITHFUL_COT_MODELS, faithfulCotPredictions } from "./sources.js";

/** The traces of one Faithful-COT model, indexed by question id (undefined when missing). */
export interface FaithfulModelTraces {
  model: string;
  byId: (ReplayTrace | undefined)[];
  join: SourceJoin;
}

/**
 * Reads the six models' predictions for a dataset of `count` questions with ids 0..count-1,
 * joining on `id`: `completion` is the trace text and `answer` the source's answer.
 */
export async function readFaithfulCotTraces(
  dataset: "gsm8k" | "svamp",
  count: number,
  opts?: ResolveOptions,
): Promise<FaithfulModelTraces[]> {
  return Promise.all(
    FAITHFUL_COT_MODELS.map(async (name) => {
      const source = faithfulCotPredictions(dataset, name);
      const rows = await readSourceJsonl(source, opts);
      const model = `${name}_COT`;
      const byId: (ReplayTrace | undefined)[] = new Array<ReplayTrace | undefined>(count).fill(undefined);
      for (const row of rows) {
        const id = indexField(row, "id");
        if (id >= count) sourceInvalid(row.where, `id ${id} is outside 0..${count - 1}`);
        if (byId[id] !== undefined) sourceInvalid(row.where, `id ${id} appears twice`);
        const text = stringField(row, "completion");
        const answer = row.value.answer;
        if (answer !== null && answer !== undefined && typeof answer !== "string") {
          sourceInvalid(row.where, 'field "answer" is not a string');
        }
        byId[id] = { text, model, source: source.repo, sourceAnswer: answer ?? null };
      }
      const joined = byId.filter((t) => t !== undefined).length;
      return { model, byId, join: { source: source.repo, model, joined, missing: count - joined } };
    }),
  );
}
