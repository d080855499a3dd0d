import { afterEach, describe, expect, it, vi } from "vitest";
import { llmJudgeLabeler } from "../../src/behavior/llm-judge.js";
import { labelRecords } from "../../src/behavior/labels.js";
import { LlmCriticDiscriminator } from "../../src/dm/llm-critic.js";
import { BehaviorError, DiscriminatorError, isDrrError } from "../../src/errors.js";
import { createDrrGraph } from "../../src/graph/create-drr-graph.js";
import { ReplayChatModel } from "../../src/replay/chat-model.js";
import type { ReplayItem } from "../../src/replay/format.js";
import { ScriptedChatModel } from "../../src/testing/index.js";
import { record } from "./helpers.js";
import { caught } from "../support/caught.js";

afterEach(() => vi.restoreAllMocks());

const items: ReplayItem[] = [{ id: "q1", question: "What is 2 + 2?", gold: "4", traces: [{ text: "2 + 2 = 4. The answer is 4." }, { text: "The answer is 5." }] }];

describe("llmJudgeLabeler", () => {
  it("labels records from a scripted judge's verdicts, never showing the gold answer", async () => {
    const judge = new ScriptedChatModel(["4 is right.\nVerdict: correct", "The sum is 4, not 5.\nVerdict: incorrect", "I am not sure."]);
    const labeler = llmJudgeLabeler({ model: judge });
    const { records, stats } = await labelRecords(
      [
        record("q1", 0, { question: "What is 2 + 2?", answer: "4", gold: "SECRET-GOLD" }),
        record("q1", 1, { question: "What is 2 + 2?", answer: "5", gold: "SECRET-GOLD" }),
        record("q2", 0, { answer: null }),
      ],
      labeler,
    );
    expect(records.map((r) => r.label)).toEqual([1, 0, null]);
    expect(stats).toMatchObject({ positive: 1, negative: 1, unlabelled: 1 });
    expect(labeler.stats).toEqual({ judged: 3, correct: 1, incorrect: 1, unparsed: 1 });
    const prompt = judge.calls[1]!.messages.map((m) => m.content).join("\n");
    expect(prompt).toContain("Proposed final answer: 5");
    expect(prompt).toContain("What is 2 + 2?");
    expect(prompt).not.toContain("SECRET-GOLD");
    expect(judge.calls[2]!.messages.map((m) => m.content).join("\n")).toContain("Proposed final answer: (none could be read)");
    judge.assertDone();
  });

  it("turns a failing judge model into LABEL_FAILED, and refuses the replay model", async () => {
    const judge = new ScriptedChatModel([new Error("503 from the judge endpoint")]);
    const error = await labelRecords([record("q1")], llmJudgeLabeler({ model: judge })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BehaviorError);
    expect(isDrrError(error, "LABEL_FAILED")).toBe(true);
    expect((error as Error).message).toMatch(/503 from the judge endpoint/);
    expect(isDrrError(caught(() => llmJudgeLabeler({ model: new ReplayChatModel({ items }) })), "MODEL_CANNOT_CRITIQUE")).toBe(true);
    expect(isDrrError(caught(() => llmJudgeLabeler({} as never)), "INVALID_ARGUMENT")).toBe(true);
  });
});

describe("self-critique on the replay model (issue 11 part 5)", () => {
  it("LlmCriticDiscriminator refuses it with MODEL_CANNOT_CRITIQUE, so the self-critique graph cannot be built on it", () => {
    const replay = new ReplayChatModel({ items });
    const error = caught(() => new LlmCriticDiscriminator({ model: replay }));
    expect(error).toBeInstanceOf(DiscriminatorError);
    expect(isDrrError(error, "MODEL_CANNOT_CRITIQUE")).toBe(true);
    expect((error as Error).message).toMatch(/replay model, which cannot critique.*Use a live chat model/);
    expect(caught(() => createDrrGraph({ model: replay, discriminator: new LlmCriticDiscriminator({ model: replay }) }))).toBeDefined();
  });

  it("warns once instead when asked to (the Studio demo graph), and still runs", async () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const replay = new ReplayChatModel({ items });
    const critic = new LlmCriticDiscriminator({ model: replay, onModelCannotCritique: "warn" });
    new LlmCriticDiscriminator({ model: replay, onModelCannotCritique: "warn" });
    expect(warn.mock.calls.length).toBeLessThanOrEqual(1);
    // A live-looking model is accepted silently.
    new LlmCriticDiscriminator({ model: new ScriptedChatModel([]) });
    const graph = createDrrGraph({ model: replay, discriminator: critic, maxAttempts: 2 });
    const state = await graph.invoke({ question: items[0]!.question });
    // The replayed "verdicts" are recorded answers, never a verdict: every attempt is rejected.
    expect(state.attempts.map((a) => a.decision)).toEqual(["reject", "exhausted"]);
  });
});
