/**
 * Parity of the TypeScript engine of a logistic DM with onnxruntime on real attempts: for each
 * public set, a logistic DM is trained on the real attempts of half of its questions and written
 * to a file; the attempts of the other half are then scored by that file loaded with
 * engine "typescript" (the sparse forward pass over the weights read from the file), with engine
 * "onnxruntime" (a session of the same file), and by a bare onnxruntime session fed the dense
 * features. Replayed attempts are independent recorded samples (read from DRR_DATA_MIRROR or the
 * download cache, never the network).
 */
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { JUDGEMENT_SETS, realAttempts } from "../../bench/real-attempts.js";
import type { AttemptRecord } from "../../src/behavior/record.js";
import { OnnxDiscriminator } from "../../src/dm/onnx-discriminator.js";
import { writeDmModel } from "../../src/dm/onnx-writer.js";
import { trainDm } from "../../src/dm/trainer.js";
import { describeWith, replayData } from "../support/requirements.js";
import { tempDir } from "./helpers.js";

const data = await replayData(...JUDGEMENT_SETS);

/** At most this many held-out attempts per set are compared. */
const COMPARED = 600;

describeWith([data], "the TypeScript engine of a logistic DM scores real attempts as onnxruntime does", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir("sparse-engine"));
  });
  afterAll(async () => {
    await cleanup();
  });

  for (const name of JUDGEMENT_SETS) {
    it(`${name}: |TypeScript − onnxruntime| < 1e-5 on held-out attempts`, async () => {
      const questions = await realAttempts(name);
      const half = Math.floor(questions.length / 2);
      const train = questions.slice(0, half).flat();
      const test: AttemptRecord[] = questions.slice(half).flat().slice(0, COMPARED);
      const trained = await trainDm(train, { seed: 0, epochs: 5 });
      const path = join(dir, `${name}.onnx`);
      await writeDmModel(path, trained.params, trained.metadata);

      const ts = await OnnxDiscriminator.load(path, { engine: "typescript" });
      const rt = await OnnxDiscriminator.load(path, { engine: "onnxruntime" });
      const session = await ort.InferenceSession.create(path, { logSeverityLevel: 3 });
      try {
        expect(ts.engine).toBe("typescript");
        expect(rt.engine).toBe("onnxruntime");
        const viaTs = await ts.scoreBatch(test);
        const viaRt = await rt.scoreBatch(test);
        const one = await Promise.all(test.slice(0, 50).map((r) => ts.score(r)));
        const dense = ts.featurizer.denseBatch(test);
        const out = await session.run({ features: new ort.Tensor("float32", dense, [test.length, ts.featurizer.dim]) });
        const bare = Array.from(out.score!.data as Float32Array);

        expect(viaTs).toHaveLength(test.length);
        // Real, spread-out scores: the comparison is not between saturated or constant values.
        expect(Math.max(...viaTs) - Math.min(...viaTs)).toBeGreaterThan(0.2);
        let worst = 0;
        viaTs.forEach((s, i) => {
          worst = Math.max(worst, Math.abs(s - viaRt[i]!), Math.abs(s - bare[i]!));
        });
        expect(worst).toBeLessThan(1e-5);
        one.forEach((s, i) => expect(s).toBe(viaTs[i]));
        // Both engines take the same decisions at the model's threshold.
        const decisions = (scores: number[]) => scores.map((s) => s >= ts.threshold);
        expect(decisions(viaTs)).toEqual(decisions(bare));
      } finally {
        await Promise.all([ts.release(), rt.release(), session.release()]);
      }
    }, 120_000);
  }
});
