/**
 * Whether another version of the featurizer gives the same features (run with
 * `npm run bench:features-compare -- --compare DIR`, DIR being another checkout's root, for example
 * `git archive 4e45ca2 | tar -x -C /tmp/before` with node_modules linked): the sparse vector of every
 * attempt of every public set (each question's first 5 traces in the replay's seeded order, as
 * `bench:dm` builds them), by this tree's `Featurizer` and by DIR's, and how many differ. Equal
 * features give equal models and AUCs. Reads the data from DRR_DATA_MIRROR; never the network.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Featurizer } from "../src/dm/features.js";
import { DATASET_NAMES } from "../src/replay/loaders.js";
import { realAttemptsOrSkip } from "./real-attempts.js";

const { values } = parseArgs({ options: { compare: { type: "string" } } });
if (values.compare === undefined) throw new Error("Pass --compare DIR: the root of another checkout (with its src/ and tsconfig.json).");
const other = (await import(pathToFileURL(resolve(values.compare, "src/dm/features.ts")).href)) as { Featurizer: typeof Featurizer };

const same = (a: ArrayLike<number>, b: ArrayLike<number>): boolean => a.length === b.length && Array.prototype.every.call(a, (x: number, i: number) => x === b[i]);

let total = 0;
let differ = 0;
for (const name of DATASET_NAMES) {
  const questions = await realAttemptsOrSkip(name, () => console.log(`${name}: skipped, not in DRR_DATA_MIRROR nor the download cache`));
  if (questions === null) continue;
  const mine = new Featurizer();
  const theirs = new other.Featurizer();
  let setDiffer = 0;
  const attempts = questions.flat();
  for (const attempt of attempts) {
    const a = mine.sparse(attempt);
    const b = theirs.sparse(attempt);
    if (!same(a.indices, b.indices) || !same(a.values, b.values)) setDiffer++;
  }
  console.log(`${name}: ${attempts.length} attempts, ${setDiffer} with different features`);
  total += attempts.length;
  differ += setDiffer;
}
console.log(`all: ${differ} of ${total} attempts with different features`);
