import { expect, it } from "vitest";
import { answerFormat } from "../../src/answers/index.js";
import { agreementLabels } from "../../src/behavior/agreement.js";
import { loadDataset } from "../../src/replay/loaders.js";
import { describeWith, replayData } from "../support/requirements.js";
import { record } from "./helpers.js";

const date = await replayData("date");

describeWith([date], "agreementLabels on recorded attempts", () => {
  it("on recorded date attempts, agrees with gold on most attempts", async () => {
    // Five recorded attempts per question of the BIG-Bench date set; agreement never reads gold.
    const items = (await loadDataset("date")).slice(0, 120);
    const format = answerFormat("date");
    const records = items.flatMap((item) =>
      item.traces.slice(0, 5).map((t, i) => record(item.id, i, { answer: format.extract(t.text), gold: item.gold })),
    );
    const { records: out, stats } = agreementLabels(records, { answerKind: "date" });
    const labelled = out.filter((r) => r.label !== null);
    const agree = labelled.filter((r) => r.label === (format.isCorrect(r.answer, format.normalizeGold(r.gold!)) ? 1 : 0)).length;
    expect(stats.labelledQuestions).toBeGreaterThan(80);
    expect(agree / labelled.length).toBeGreaterThan(0.7);
  });
});
