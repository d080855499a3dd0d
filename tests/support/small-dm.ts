import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { readRecords } from "../../src/behavior/sinks.js";
import { collectBehavior } from "../../src/bench/collect.js";
import { selectSplit } from "../../src/bench/split.js";
import { writeDmModel } from "../../src/dm/onnx-writer.js";
import { trainDm } from "../../src/dm/trainer.js";
import { ReplayChatModel } from "../../src/replay/chat-model.js";
import { loadDataset } from "../../src/replay/loaders.js";

/** Trains a real DM on explored GSM8K replay data of `questions` training questions; returns the .onnx path. */
export async function trainSmallDm(questions = 150): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "drr-small-dm-"));
  const items = [...(await loadDataset("gsm8k"))];
  const train = selectSplit(items, "train", { seed: 0 }).slice(0, questions);
  const out = path.join(dir, "records.jsonl");
  await collectBehavior({ items: train, model: new ReplayChatModel({ items, seed: 0 }), out, answerKind: "number", policy: "explore" });
  const trained = await trainDm((await readRecords(out)).records, { seed: 0 });
  const modelPath = path.join(dir, "dm.onnx");
  await writeDmModel(modelPath, trained.params, trained.metadata);
  return modelPath;
}
