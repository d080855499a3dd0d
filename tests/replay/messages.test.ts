/**
 * The replay's unknown-question message, and question matching up to Unicode normalisation
 * (issue 12, part 5).
 */
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { afterEach, describe, expect, it } from "vitest";
import { isDrrError, ReasonerError, ReplayError } from "../../src/errors.js";
import { Reasoner } from "../../src/reasoner/reasoner.js";
import { ReplayChatModel } from "../../src/replay/chat-model.js";
import { normalizeQuestion } from "../../src/replay/lookup.js";
import { startReplayServer, type ReplayServer } from "../../src/replay/server.js";
import { sampleItems } from "./helpers.js";

const items = sampleItems();
const ducks = items[0]!;
const SYSTEM = "You are a careful problem solver. Think step by step and end with 'The answer is X.'";
const UNKNOWN = "What is the capital of France?";

async function failure(run: () => Promise<unknown>): Promise<Error> {
  try {
    await run();
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a failure");
}

/** Checks what every unknown-question message must say. */
function expectUnknownQuestionMessage(message: string): void {
  expect(message).toContain(`"${UNKNOWN}"`);
  expect(message).not.toContain("careful problem solver");
  expect(message).toMatch(/only knows the 3 questions/);
  expect(message).toContain("OPENAI_API_KEY");
  expect(message).toContain("OPENAI_BASE_URL");
  expect(message).toMatch(/pass a chat model/);
  expect(message).not.toMatch(/credential/i);
  expect(message).not.toMatch(/\.\s*\./);
}

describe("the unknown-question message", () => {
  it("names the question looked for, not the system prompt, and how to switch to a live model", async () => {
    const model = new ReplayChatModel({ items });
    const error = await failure(() => model.invoke([new SystemMessage(SYSTEM), new HumanMessage(`Question: ${UNKNOWN}\nLet's think step by step.`)]));
    expect(error).toBeInstanceOf(ReplayError);
    expect(isDrrError(error, "REPLAY_UNKNOWN_QUESTION")).toBe(true);
    expectUnknownQuestionMessage(error.message);
  });

  it("names the data set when it is known", async () => {
    const model = new ReplayChatModel({ items, dataset: "gsm8k" });
    const error = await failure(() => model.invoke([new HumanMessage(UNKNOWN)]));
    expect(error.message).toMatch(/only knows the 3 questions of the data set "gsm8k"/);
  });

  it("shortens a long question", async () => {
    const long = `${UNKNOWN} ${"Please think carefully. ".repeat(20)}`;
    const error = await failure(() => new ReplayChatModel({ items }).invoke([new HumanMessage(long)]));
    expect(error.message).toContain(UNKNOWN);
    expect(error.message).not.toContain(long.trim());
    expect(error.message.length).toBeLessThan(600);
  });

  it("looks for the question before the feedback in a retry", async () => {
    const model = new ReplayChatModel({ items });
    const error = await failure(() =>
      model.invoke([new SystemMessage(SYSTEM), new HumanMessage(UNKNOWN), ["ai", "Paris."], new HumanMessage("Check your work and try again.")]),
    );
    expect(error.message).toContain(`"${UNKNOWN}"`);
    expect(error.message).not.toContain("Check your work");
  });

  it("reaches the Reasoner's user without credentials advice or a double full stop", async () => {
    const reasoner = new Reasoner({ model: new ReplayChatModel({ items }) });
    const error = await failure(() => reasoner.attempt({ question: UNKNOWN, previous: [] }));
    expect(error).toBeInstanceOf(ReasonerError);
    expect(isDrrError(error, "MODEL_ERROR")).toBe(true);
    expect((error as ReasonerError).cause).toBeInstanceOf(ReplayError);
    expectUnknownQuestionMessage(error.message);
  });

  it("still advises on credentials for a live model's failure, with one full stop", async () => {
    const live = new FakeListChatModel({ responses: ["x"] });
    live.invoke = async () => {
      throw new Error("401 Incorrect API key provided.");
    };
    const error = await failure(() => new Reasoner({ model: live }).attempt({ question: UNKNOWN, previous: [] }));
    expect(isDrrError(error, "MODEL_ERROR")).toBe(true);
    expect(error.message).toMatch(/credentials/);
    expect(error.message).not.toMatch(/\.\s*\./);
  });

  describe("from the replay server", () => {
    let server: ReplayServer | undefined;
    afterEach(async () => {
      await server?.close();
      server = undefined;
    });

    it("answers 404 with the same message", async () => {
      server = await startReplayServer({ items });
      const response = await fetch(`${server.url}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "replay", messages: [{ role: "system", content: SYSTEM }, { role: "user", content: UNKNOWN }] }),
      });
      expect(response.status).toBe(404);
      const json = (await response.json()) as { error: { code: string; message: string } };
      expect(json.error.code).toBe("REPLAY_UNKNOWN_QUESTION");
      expectUnknownQuestionMessage(json.error.message);
    });
  });
});

describe("question matching up to Unicode normalisation", () => {
  it("normalises NFKC, quotes, dashes and whitespace", () => {
    expect(normalizeQuestion("  Janet\u2019s \u201cducks\u201d\tlay\u00a0\n16 eggs  ")).toBe(`Janet's "ducks" lay 16 eggs`);
    expect(normalizeQuestion("\u2018a\u2019 \u201Eb\u201D \u00ABc\u00BB")).toBe(`'a' "b" "c"`);
    expect(normalizeQuestion("10\u201320 and 5\u20143")).toBe("10-20 and 5-3");
    expect(normalizeQuestion("\uff11\uff12 \ufb01sh")).toBe("12 fish");
    expect(normalizeQuestion("cafe\u0301")).toBe("caf\u00e9");
  });

  it("finds a question that differs from the data set only by a curly apostrophe", async () => {
    const model = new ReplayChatModel({ items, seed: 2 });
    const curly = ducks.question.replace("Janet's", "Janet\u2019s");
    expect(curly).not.toBe(ducks.question);
    expect(model.findItem([new HumanMessage(curly)])?.id).toBe(ducks.id);
    expect(model.findItem([new HumanMessage(`Question: ${curly}\nLet's think step by step.`)])?.id).toBe(ducks.id);
    const straight = await model.invoke([new HumanMessage(ducks.question)]);
    expect((await model.invoke([new HumanMessage(curly)])).content).toBe(straight.content);
  });

  it("finds a question written with an en dash, curly quotes and odd spacing when the data set has straight ones", () => {
    const item = { id: "q-range", question: `Pick a number from 1-10 and call it "x". What is x - x?`, gold: "0", traces: [{ text: "The answer is 0." }] };
    const model = new ReplayChatModel({ items: [item] });
    expect(model.findItem([new HumanMessage("Pick a number from 1\u201310 and  call it \u201cx\u201d.\nWhat is x \u2014 x?")])?.id).toBe("q-range");
  });
});
