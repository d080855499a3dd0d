import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { Annotation, END, MemorySaver, START, StateGraph, StateSchema } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { OracleDiscriminator } from "../../src/dm/oracle.js";
import { GraphError } from "../../src/errors.js";
import { createDrrGraph } from "../../src/graph/create-drr-graph.js";
import type { DrrEvent } from "../../src/graph/events.js";
import type { Attempt } from "../../src/graph/state.js";
import { addDrrSubgraph, drrNode, parentStateKeys } from "../../src/integrations/subgraph.js";
import { ScriptedChatModel } from "../../src/testing/index.js";
import { expectCode } from "../dm/helpers.js";

/** A parent graph whose keys share no name with the DRR graph's. */
const Parent = Annotation.Root({
  request: Annotation<string>,
  userQuestion: Annotation<string>,
  ticket: Annotation<string>,
  expected: Annotation<string>,
  finalAnswer: Annotation<string | null>,
  verdict: Annotation<string>,
  trace: Annotation<Attempt[]>,
  confidence: Annotation<number | null>,
  why: Annotation<string>,
  summary: Annotation<string>,
});

const QUESTION = "Janet sells 9 eggs for $2 each. How much does she make?";

/** Nodes before and after the DRR node: one cleans the request, the other reports the verdict. */
function parentBuilder() {
  return new StateGraph(Parent)
    .addNode("prepare", async (state) => ({ userQuestion: state.request.replace(/^please:\s*/i, "").trim() }))
    .addNode("report", async (state) => ({ summary: `${state.verdict}: ${state.finalAnswer ?? "no answer"} after ${state.trace.length} attempt(s)` }));
}

/** Remembers the names of the chains that start, to see the DRR graph's nodes run under the parent's callbacks. */
class ChainNames extends BaseCallbackHandler {
  name = "ChainNames";
  readonly names: string[] = [];
  override handleChainStart(_chain: unknown, _inputs: unknown, _runId: string, _parentRunId?: string, _tags?: string[], _metadata?: unknown, _runType?: string, runName?: string): void {
    if (runName) this.names.push(runName);
  }
}

describe("addDrrSubgraph", () => {
  it("maps the parent's keys in and out around a full DRR run, between a node before and a node after", async () => {
    const model = new ScriptedChatModel(["9 + 2 = 11. The answer is 11.", "9 * 2 = 18. The answer is 18."]);
    const graph = addDrrSubgraph(parentBuilder(), "drr", {
      graph: { model, discriminator: new OracleDiscriminator() },
      input: { question: "userQuestion", questionId: "ticket", gold: "expected" },
      output: { answer: "finalAnswer", outcome: "verdict", attempts: "trace", score: "confidence", reason: "why" },
    })
      .addEdge(START, "prepare")
      .addEdge("prepare", "drr")
      .addEdge("drr", "report")
      .addEdge("report", END)
      .compile();

    const result = await graph.invoke({ request: `Please: ${QUESTION}  `, ticket: "T-7", expected: "18" });
    model.assertDone();
    // The oracle could only judge with the gold answer read from "expected".
    expect(result.finalAnswer).toBe("18");
    expect(result.verdict).toBe("accepted");
    expect(result.trace.map((a) => [a.index, a.answer, a.score, a.decision])).toEqual([
      [0, "11", 0, "reject"],
      [1, "18", 1, "accept"],
    ]);
    expect(result.confidence).toBe(1);
    expect(result.why).toMatch(/attempt 2 accepted/);
    expect(result.summary).toBe("accepted: 18 after 2 attempt(s)");
    // The question the Reasoner saw is the one the node before wrote.
    expect(String(model.calls[0]?.messages.at(-1)?.content)).toContain(QUESTION);
    expect(String(model.calls[0]?.messages.at(-1)?.content)).not.toMatch(/please:/i);
    // The DRR graph's own keys stay inside it.
    for (const key of ["question", "answer", "attempts", "outcome"]) expect(Object.keys(result)).not.toContain(key);
  });

  it("accepts a compiled DRR graph, and writes null and \"abstained\" when it abstains", async () => {
    const model = new ScriptedChatModel(["The answer is 5.", "The answer is 7."]);
    const drr = createDrrGraph({ model, discriminator: new OracleDiscriminator(), maxAttempts: 2, fallback: "abstain" });
    const graph = addDrrSubgraph(parentBuilder(), "solve", {
      graph: drr,
      input: { question: "userQuestion", gold: "expected" },
      output: { answer: "finalAnswer", outcome: "verdict", attempts: "trace" },
    })
      .addEdge(START, "prepare")
      .addEdge("prepare", "solve")
      .addEdge("solve", "report")
      .addEdge("report", END)
      .compile();
    const result = await graph.invoke({ request: QUESTION, expected: "18" });
    model.assertDone();
    expect(result.finalAnswer).toBeNull();
    expect(result.verdict).toBe("abstained");
    expect(result.summary).toBe("abstained: no answer after 2 attempt(s)");
  });

  it("passes the node's config on: custom stream events and callbacks reach the parent's caller", async () => {
    const model = new ScriptedChatModel(["The answer is 11.", "The answer is 18."]);
    const graph = addDrrSubgraph(parentBuilder(), "drr", {
      graph: { model, discriminator: new OracleDiscriminator() },
      input: { question: "userQuestion", gold: "expected" },
      output: { answer: "finalAnswer", outcome: "verdict", attempts: "trace" },
    })
      .addEdge(START, "prepare")
      .addEdge("prepare", "drr")
      .addEdge("drr", "report")
      .addEdge("report", END)
      .compile();
    const names = new ChainNames();
    const events: DrrEvent[] = [];
    for await (const chunk of await graph.stream({ request: QUESTION, expected: "18" }, { streamMode: "custom", callbacks: [names] })) {
      events.push(chunk as DrrEvent);
    }
    expect(events.map((e) => e.type)).toEqual(["drr/decision", "drr/decision", "drr/stop"]);
    expect(events[2]).toMatchObject({ answer: "18", outcome: "accepted" });
    for (const node of ["prepare", "drr", "think", "evaluate", "stop", "report"]) expect(names.names).toContain(node);
  });

  it("runs a budget longer than the parent's recursion limit allows on its own", async () => {
    const n = 20;
    const model = new ScriptedChatModel(Array.from({ length: n }, (_, i) => `The answer is ${i}.`));
    const graph = addDrrSubgraph(parentBuilder(), "drr", {
      graph: { model, discriminator: new OracleDiscriminator(), maxAttempts: n, fallback: "last" },
      input: { question: "userQuestion", gold: "expected" },
      output: { answer: "finalAnswer", outcome: "verdict", attempts: "trace" },
    })
      .addEdge(START, "prepare")
      .addEdge("prepare", "drr")
      .addEdge("drr", "report")
      .addEdge("report", END)
      .compile();
    // 20 attempts take 41 DRR steps; LangGraph's default limit is 25.
    const result = await graph.invoke({ request: QUESTION, expected: "1000" });
    model.assertDone();
    expect(result.trace).toHaveLength(n);
    expect(result.finalAnswer).toBe(String(n - 1));
    expect(result.verdict).toBe("fallback");
  });

  it("works on a parent with a checkpointer", async () => {
    const model = new ScriptedChatModel(["The answer is 18."]);
    const graph = addDrrSubgraph(parentBuilder(), "drr", {
      graph: { model, discriminator: new OracleDiscriminator() },
      input: { question: "userQuestion", gold: "expected" },
      output: { answer: "finalAnswer", outcome: "verdict", attempts: "trace" },
    })
      .addEdge(START, "prepare")
      .addEdge("prepare", "drr")
      .addEdge("drr", "report")
      .addEdge("report", END)
      .compile({ checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: "parent-1" } };
    await graph.invoke({ request: QUESTION, expected: "18" }, config);
    const state = await graph.getState(config);
    expect(state.values.finalAnswer).toBe("18");
    expect(state.values.summary).toBe("accepted: 18 after 1 attempt(s)");
  });

  describe("checks the mapping against the parent's state schema when the node is added", () => {
    const graph = () => ({ model: new ScriptedChatModel([]), discriminator: new OracleDiscriminator() });

    it("names a missing input key and the available keys", async () => {
      const error = await expectCode(
        () => addDrrSubgraph(parentBuilder(), "drr", { graph: graph(), input: { question: "question" }, output: { answer: "finalAnswer" } }),
        "MAPPING_KEY_MISSING",
      );
      expect(error).toBeInstanceOf(GraphError);
      expect(error.message).toContain('input.question to "question"');
      expect(error.message).toContain("Available keys: request, userQuestion, ticket, expected, finalAnswer, verdict, trace, confidence, why, summary");
    });

    it("names a missing output key", async () => {
      const error = await expectCode(
        () =>
          addDrrSubgraph(parentBuilder(), "drr", {
            graph: graph(),
            input: { question: "userQuestion" },
            output: { answer: "finalAnswer", outcome: "status" },
          }),
        "MAPPING_KEY_MISSING",
      );
      expect(error.message).toContain('output.outcome to "status"');
    });

    it("reads the keys of a StateSchema parent too", async () => {
      const State = new StateSchema({ q: z.string(), a: z.string().nullable().optional() });
      const ok = addDrrSubgraph(new StateGraph(State), "drr", { graph: graph(), input: { question: "q" }, output: { answer: "a" } });
      expect(ok).toBeInstanceOf(StateGraph);
      await expectCode(
        () => addDrrSubgraph(new StateGraph(State), "drr", { graph: graph(), input: { question: "q" }, output: { answer: "answer" } }),
        "MAPPING_KEY_MISSING",
      );
    });

    it("rejects a malformed mapping with INVALID_ARGUMENT", async () => {
      const bad = [
        { input: { question: "userQuestion" }, output: { outcome: "verdict" } },
        { input: {}, output: { answer: "finalAnswer" } },
        { input: { question: "userQuestion", context: "request" }, output: { answer: "finalAnswer" } },
        { input: { question: "userQuestion" }, output: { answer: "finalAnswer", outcome: "finalAnswer" } },
        { input: { question: "" }, output: { answer: "finalAnswer" } },
      ];
      for (const mapping of bad) {
        await expectCode(() => addDrrSubgraph(parentBuilder(), "drr", { graph: graph(), ...mapping } as never), "INVALID_ARGUMENT");
      }
    });
  });
});

describe("drrNode", () => {
  it("is a node function for addNode, with the mapping checked against `parentState`", async () => {
    const model = new ScriptedChatModel(["The answer is 18."]);
    const node = drrNode(createDrrGraph({ model, discriminator: new OracleDiscriminator() }), {
      input: { question: "request", gold: "expected" },
      output: { answer: "finalAnswer", score: "confidence" },
      parentState: Parent,
    });
    const graph = new StateGraph(Parent).addNode("drr", node).addEdge(START, "drr").addEdge("drr", END).compile();
    const result = await graph.invoke({ request: QUESTION, expected: "18" });
    expect(result.finalAnswer).toBe("18");
    expect(result.confidence).toBe(1);
    expect(result.verdict).toBeUndefined();

    await expectCode(
      () => drrNode({ model, discriminator: new OracleDiscriminator() }, { input: { question: "prompt" }, output: { answer: "finalAnswer" }, parentState: Parent }),
      "MAPPING_KEY_MISSING",
    );
    expect(parentStateKeys(["a", "b"])).toEqual(["a", "b"]);
    expect(parentStateKeys(z.object({ x: z.string() }))).toEqual(["x"]);
  });

  it("fails with MAPPING_KEY_MISSING when the question key is not set at run time, naming the keys that are", async () => {
    const model = new ScriptedChatModel([]);
    const node = drrNode({ model, discriminator: new OracleDiscriminator() }, { input: { question: "userQuestion" }, output: { answer: "finalAnswer" } });
    // No node sets userQuestion before the DRR node runs.
    const graph = new StateGraph(Parent).addNode("drr", node).addEdge(START, "drr").addEdge("drr", END).compile();
    const error = await expectCode(graph.invoke({ request: QUESTION, expected: "18" }), "MAPPING_KEY_MISSING");
    expect(error.message).toContain('"userQuestion"');
    expect(error.message).toContain("Keys set now: request, expected");
    expect(model.calls).toHaveLength(0);
  });
});
