import { AIMessage, HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { RunnableSequence } from "@langchain/core/runnables";
import { describe, expect, it } from "vitest";
import { isDrrError } from "../../src/errors.js";
import { findReplayItem, ReplayChatModel } from "../../src/replay/chat-model.js";
import { traceForAttempt, traceOrder } from "../../src/replay/order.js";
import { sampleItems } from "./helpers.js";

const items = sampleItems();
const ducks = items[0]!;
const robe = items[1]!;

function text(message: BaseMessage): string {
  return typeof message.content === "string" ? message.content : message.text;
}

describe("ReplayChatModel", () => {
  it("answers the same prompt with the same trace, across calls and instances", async () => {
    const model = new ReplayChatModel({ items, seed: 5 });
    const prompt = [new SystemMessage("Solve the problem."), new HumanMessage(ducks.question)];
    const first = await model.invoke(prompt);
    const second = await model.invoke(prompt);
    const other = await new ReplayChatModel({ items, seed: 5 }).invoke(prompt);
    expect(text(first)).toBe(traceForAttempt(ducks, 0, 5).text);
    expect(text(second)).toBe(text(first));
    expect(text(other)).toBe(text(first));
  });

  it("takes the attempt index from the AI messages already in the prompt", async () => {
    const model = new ReplayChatModel({ items, seed: 1 });
    const history: BaseMessage[] = [new HumanMessage(`Question: ${ducks.question}\nAnswer step by step.`)];
    const answers: string[] = [];
    for (let k = 0; k < ducks.traces.length + 1; k++) {
      const reply = await model.invoke(history);
      answers.push(text(reply));
      expect(reply.response_metadata.replay).toMatchObject({ itemId: ducks.id, attempt: k });
      history.push(new AIMessage(text(reply)), new HumanMessage("Wrong answer! Try again."));
    }
    const order = traceOrder(ducks.id, ducks.traces.length, 1);
    expect(answers).toEqual([...order, order[0]].map((i) => ducks.traces[i as number]!.text));
  });

  it("different seeds give different first answers for some question", async () => {
    const firsts = new Set<string>();
    for (let seed = 0; seed < 10; seed++) {
      firsts.add(text(await new ReplayChatModel({ items, seed }).invoke([new HumanMessage(ducks.question)])));
    }
    expect(firsts.size).toBeGreaterThan(1);
  });

  it("matches questions with different whitespace, inside templates, and prefers the longest", async () => {
    const model = new ReplayChatModel({ items });
    const spaced = robe.question.replace(/ /g, "\n  ");
    expect(model.findItem([new HumanMessage(spaced)])?.id).toBe(robe.id);
    expect(model.findItem([new SystemMessage(`Examples... ${robe.question}`), new HumanMessage("Go.")])?.id).toBe(robe.id);
    expect(findReplayItem([new HumanMessage(`Q: ${ducks.question} A:`)], items)?.id).toBe(ducks.id);
    const nested = { ...robe, id: "long", question: `${robe.question} Give the answer in bolts.` };
    expect(findReplayItem([new HumanMessage(`Solve: ${nested.question}`)], [robe, nested])?.id).toBe("long");
    expect(findReplayItem([new HumanMessage("Something else entirely.")], items)).toBeUndefined();
  });

  it("reports token usage and the trace's model", async () => {
    const model = new ReplayChatModel({ items, seed: 2, modelName: "replay-test" });
    const prompt = [new HumanMessage(robe.question)];
    const reply = await model.invoke(prompt);
    const trace = traceForAttempt(robe, 0, 2);
    expect(reply.usage_metadata).toEqual({
      input_tokens: Math.ceil(robe.question.length / 4),
      output_tokens: Math.ceil(trace.text.length / 4),
      total_tokens: Math.ceil(robe.question.length / 4) + Math.ceil(trace.text.length / 4),
    });
    expect(reply.response_metadata.model_name).toBe(trace.model);
    const untitled = ducks.traces.findIndex((t) => t.model === undefined);
    const attempt = traceOrder(ducks.id, ducks.traces.length, 2).indexOf(untitled);
    const history: BaseMessage[] = [new HumanMessage(ducks.question)];
    for (let k = 0; k < attempt; k++) history.push(new AIMessage("x"));
    expect((await model.invoke(history)).response_metadata.model_name).toBe("replay-test");
  });

  it("cuts the reply at a stop sequence", async () => {
    const model = new ReplayChatModel({ items, seed: 0 });
    const full = traceForAttempt(robe, 0, 0).text;
    const reply = await model.invoke([new HumanMessage(robe.question)], { stop: ["The answer"] });
    expect(text(reply)).toBe(full.slice(0, full.indexOf("The answer")));
  });

  it("streams the same text, with the usage once", async () => {
    const model = new ReplayChatModel({ items, seed: 4 });
    const prompt = [new HumanMessage(ducks.question)];
    const chunks = [];
    for await (const chunk of await model.stream(prompt)) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(2);
    const joined = chunks.reduce((a, b) => a.concat(b));
    expect(joined.content).toBe(text(await model.invoke(prompt)));
    expect(joined.usage_metadata?.output_tokens).toBe(Math.ceil(String(joined.content).length / 4));
  });

  it("throws REPLAY_UNKNOWN_QUESTION quoting the start of the question", async () => {
    const model = new ReplayChatModel({ items });
    const prompt = `What is the capital of France? ${"Please think carefully. ".repeat(10)}`;
    let error: unknown;
    try {
      await model.invoke([new HumanMessage(prompt)]);
    } catch (e) {
      error = e;
    }
    expect(isDrrError(error, "REPLAY_UNKNOWN_QUESTION")).toBe(true);
    expect((error as Error).message).toContain(prompt.replace(/\s+/g, " ").slice(0, 80));
    expect((error as Error).message).not.toContain(prompt.trim());
  });

  it("rejects two items with the same question and different ids", () => {
    let error: unknown;
    try {
      new ReplayChatModel({ items: [robe, { ...robe, id: "robe-copy" }] });
    } catch (e) {
      error = e;
    }
    expect(isDrrError(error, "REPLAY_DUPLICATE_QUESTION")).toBe(true);
  });

  it("works inside a RunnableSequence with a prompt template and an output parser", async () => {
    const model = new ReplayChatModel({ items, seed: 9 });
    const prompt = ChatPromptTemplate.fromMessages([
      ["system", "You are a careful math tutor. End with 'The answer is N.'"],
      ["human", "Question: {question}\nLet's think step by step."],
    ]);
    const chain = RunnableSequence.from([prompt, model, new StringOutputParser()]);
    const out = await chain.invoke({ question: robe.question });
    expect(out).toBe(traceForAttempt(robe, 0, 9).text);
    const batch = await chain.batch(items.map((i) => ({ question: i.question })));
    expect(batch).toEqual(items.map((i) => traceForAttempt(i, 0, 9).text));
    const pieces: string[] = [];
    for await (const piece of await chain.stream({ question: ducks.question })) pieces.push(piece);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join("")).toBe(traceForAttempt(ducks, 0, 9).text);
  });
});
