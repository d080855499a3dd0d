/**
 * The DRR graph as one node of a hand-written LangGraph graph whose state uses its own key names.
 * The node reads the question (and optionally a question id, a gold answer and an answer kind) from the
 * parent's state, runs the compiled DRR graph as a subgraph with the node's config, so callbacks,
 * custom stream events, checkpoint namespaces and interrupts propagate, and writes the answer (and
 * optionally the outcome, the attempts, the final score and the reason) back under the parent's keys.
 */
import type { LangGraphRunnableConfig, StateDefinitionInit, StateGraph } from "@langchain/langgraph";
import { StateSchema } from "@langchain/langgraph";
import { answerKindConflict, answerKindOf } from "../attempt.js";
import { GraphError } from "../errors.js";
import { createDrrGraph, type DrrGraph } from "../graph/create-drr-graph.js";
import type { DrrGraphOptions } from "../graph/options.js";
import type { Attempt, DrrInput } from "../graph/state.js";

/** Which parent state keys feed the DRR graph's input. */
export interface DrrInputMapping {
  /** The key holding the question (a non-empty string). Required. */
  question: string;
  /** The key holding your id for the question. */
  questionId?: string;
  /** The key holding the gold answer; only an oracle discriminator reads it. */
  gold?: string;
  /** The key holding the answer kind ("number", "date", "choice", "text" or "game24"). */
  answerKind?: string;
  /** @deprecated Since 0.2: the old name of `answerKind`, which it works as (with a one-time DeprecationWarning); removed in the next release. */
  task?: string;
}

/** Which parent state keys receive the DRR graph's result. */
export interface DrrOutputMapping {
  /** The key that receives the final answer: a string, or null when the graph abstained. Required. */
  answer: string;
  /** The key that receives the verdict: "accepted", "fallback" or "abstained". */
  outcome?: string;
  /** The key that receives every attempt with its score, decision and feedback. */
  attempts?: string;
  /** The key that receives the discriminator's score of the last attempt (the accepted one when one was accepted). */
  score?: string;
  /** The key that receives a sentence saying why the run ended as it did. */
  reason?: string;
}

/** Anything the parent's state keys can be read from. */
export type ParentStateKeys =
  | readonly string[]
  | StateSchema<any>
  | { spec: Record<string, unknown> }
  | { shape: Record<string, unknown> };

export interface DrrNodeMapping {
  input: DrrInputMapping;
  output: DrrOutputMapping;
  /**
   * The parent's state schema (an `Annotation.Root`, a `StateSchema` or a zod object) or its key
   * names. When given, every mapped key is checked when the node is made; without it, only the
   * question is checked, when the node runs.
   */
  parentState?: ParentStateKeys;
}

export interface DrrSubgraphOptions {
  /** A DRR graph from `createDrrGraph`, or the options to build one with. */
  graph: DrrGraph | DrrGraphOptions;
  input: DrrInputMapping;
  output: DrrOutputMapping;
}

/** A LangGraph node function that runs the DRR graph. */
export type DrrNodeFunction<S extends Record<string, any> = Record<string, unknown>> = (
  state: S,
  config?: LangGraphRunnableConfig,
) => Promise<Partial<S>>;

const INPUT_FIELDS = ["question", "questionId", "gold", "answerKind"] as const;
/** Input fields still accepted under their name before 0.2. */
const OLD_INPUT_FIELDS = ["task"] as const;
const OUTPUT_FIELDS = ["answer", "outcome", "attempts", "score", "reason"] as const;

function invalidMapping(message: string): GraphError {
  return new GraphError("INVALID_ARGUMENT", message);
}

/** Checks the shape of a mapping: required fields, known fields, non-empty key names, distinct output keys. */
function checkMappingShape(mapping: { input?: unknown; output?: unknown }, where: string): void {
  const example = '{ input: { question: "userQuestion" }, output: { answer: "finalAnswer", outcome: "verdict" } }';
  if (!mapping || typeof mapping !== "object") throw invalidMapping(`${where} needs a mapping such as ${example}.`);
  const sides = [
    ["input", mapping.input, INPUT_FIELDS, "question", OLD_INPUT_FIELDS],
    ["output", mapping.output, OUTPUT_FIELDS, "answer", []],
  ] as const;
  for (const [side, value, fields, required, oldFields] of sides) {
    if (!value || typeof value !== "object") throw invalidMapping(`${where} needs \`${side}\`, e.g. ${example}.`);
    const record = value as Record<string, unknown>;
    for (const [field, key] of Object.entries(record)) {
      if (key === undefined) continue;
      if (!(fields as readonly string[]).includes(field) && !(oldFields as readonly string[]).includes(field)) {
        throw invalidMapping(`${where}: ${side}.${field} is not a DRR ${side}; use ${fields.map((f) => `${side}.${f}`).join(", ")}.`);
      }
      if (typeof key !== "string" || key === "") {
        throw invalidMapping(`${where}: ${side}.${field} must name a key of the parent's state; got ${JSON.stringify(key)}.`);
      }
    }
    if (record[required] === undefined) {
      throw invalidMapping(`${where} needs ${side}.${required}: the parent state key that ${side === "input" ? "holds the question" : "receives the answer"}.`);
    }
  }
  const input = mapping.input as DrrInputMapping;
  if (answerKindConflict(input) !== null) {
    throw invalidMapping(
      `${where}: input.answerKind ("${input.answerKind}") and input.task, its name before 0.2 ("${input.task}"), name different keys; give input.answerKind only.`,
    );
  }
  const outputKeys = Object.values(mapping.output as Record<string, string | undefined>).filter((k): k is string => k !== undefined);
  const repeated = outputKeys.find((key, i) => outputKeys.indexOf(key) !== i);
  if (repeated !== undefined) throw invalidMapping(`${where} writes two DRR outputs to the parent key "${repeated}"; give each output its own key.`);
}

/** Every parent key a mapping names, with where it is used. */
function mappedKeys(mapping: DrrNodeMapping | DrrSubgraphOptions): { use: string; key: string }[] {
  const keys: { use: string; key: string }[] = [];
  for (const [field, key] of Object.entries(mapping.input)) if (typeof key === "string") keys.push({ use: `input.${field}`, key });
  for (const [field, key] of Object.entries(mapping.output)) if (typeof key === "string") keys.push({ use: `output.${field}`, key });
  return keys;
}

/** Throws `MAPPING_KEY_MISSING` for the first mapped key that is not one of `available`. */
function checkKeysExist(mapping: DrrNodeMapping | DrrSubgraphOptions, available: readonly string[], where: string): void {
  const known = new Set(available);
  for (const { use, key } of mappedKeys(mapping)) {
    if (!known.has(key)) {
      throw new GraphError(
        "MAPPING_KEY_MISSING",
        `${where} maps ${use} to "${key}", but the parent state has no key "${key}". ` +
          `Available keys: ${available.length > 0 ? available.join(", ") : "(none)"}. Add "${key}" to the parent's state schema or fix the mapping.`,
      );
    }
  }
}

/** Reads the key names of a state schema or a key list. */
export function parentStateKeys(source: ParentStateKeys): string[] {
  if (Array.isArray(source)) return [...(source as readonly string[])];
  if (StateSchema.isInstance(source)) return Object.keys(source.fields);
  const s = source as { spec?: unknown; shape?: unknown };
  if (s.spec && typeof s.spec === "object") return Object.keys(s.spec);
  if (s.shape && typeof s.shape === "object") return Object.keys(s.shape);
  throw invalidMapping(
    "parentState must be the parent's state schema (an Annotation.Root, a StateSchema or a zod object) or a list of its key names.",
  );
}

function isCompiledGraph(value: unknown): value is DrrGraph {
  return typeof value === "object" && value !== null && typeof (value as { invoke?: unknown }).invoke === "function";
}

/** The DRR graph itself, built from options when options are given. */
function toGraph(graph: DrrGraph | DrrGraphOptions, where: string): DrrGraph {
  if (isCompiledGraph(graph)) return graph;
  if (graph && typeof graph === "object") return createDrrGraph(graph);
  throw new GraphError("INVALID_ARGUMENT", `${where} needs \`graph\`: a graph from createDrrGraph(...) or the options to build one, e.g. { model, discriminator }.`);
}

/** Builds the node function once the mapping has been checked. */
function makeNode<S extends Record<string, any>>(graph: DrrGraph, mapping: DrrNodeMapping | DrrSubgraphOptions, where: string): DrrNodeFunction<S> {
  const { input, output } = mapping;
  const fields = { questionId: input.questionId, gold: input.gold, answerKind: answerKindOf(input, "a DRR node's input mapping") };
  // The DRR graph carries a recursion limit that fits its budget; the parent's limit must not lower it.
  const ownLimit = (graph as { config?: { recursionLimit?: number } }).config?.recursionLimit;
  return async function drr(state: S, config?: LangGraphRunnableConfig): Promise<Partial<S>> {
    const parent = (state ?? {}) as Record<string, unknown>;
    const question = parent[input.question];
    if (question === undefined) {
      const set = Object.keys(parent).filter((k) => parent[k] !== undefined);
      throw new GraphError(
        "MAPPING_KEY_MISSING",
        `${where} reads the question from the parent state key "${input.question}", but it is not set when the node runs. ` +
          `Set "${input.question}" in the graph input or in an earlier node. Keys set now: ${set.length > 0 ? set.join(", ") : "(none)"}.`,
      );
    }
    const drrInput: Record<string, unknown> = { question };
    for (const field of ["questionId", "gold", "answerKind"] as const) {
      const key = fields[field];
      if (key !== undefined && parent[key] !== undefined) drrInput[field] = parent[key];
    }
    const recursionLimit = Math.max(config?.recursionLimit ?? 0, ownLimit ?? 0) || undefined;
    const result = await graph.invoke(drrInput as unknown as DrrInput, { ...config, ...(recursionLimit !== undefined && { recursionLimit }) });
    const attempts: Attempt[] = result.attempts ?? [];
    const values: Record<(typeof OUTPUT_FIELDS)[number], unknown> = {
      answer: result.answer ?? null,
      outcome: result.outcome,
      attempts,
      score: attempts.at(-1)?.score ?? null,
      reason: result.reason,
    };
    const update: Record<string, unknown> = {};
    for (const field of OUTPUT_FIELDS) {
      const key = output[field];
      if (key !== undefined) update[key] = values[field];
    }
    return update as Partial<S>;
  };
}

/**
 * Makes a node function that runs a DRR graph inside a parent graph whose keys differ:
 * `input` names the parent keys the DRR input is read from (the question is required), and
 * `output` the parent keys the result is written to (the answer is required).
 *
 * Throws `GraphError` "INVALID_ARGUMENT" for a malformed mapping and, when `parentState` is given,
 * "MAPPING_KEY_MISSING" for a mapped key the parent's state does not have. When the node runs, a
 * question key that is not set fails with "MAPPING_KEY_MISSING".
 *
 * @example
 * builder.addNode("drr", drrNode(createDrrGraph({ model, discriminator }), {
 *   input: { question: "userQuestion" },
 *   output: { answer: "finalAnswer", outcome: "verdict" },
 * }));
 */
export function drrNode<S extends Record<string, any> = Record<string, unknown>>(
  graph: DrrGraph | DrrGraphOptions,
  mapping: DrrNodeMapping,
): DrrNodeFunction<S> {
  const where = "drrNode";
  checkMappingShape(mapping, where);
  if (mapping.parentState !== undefined) checkKeysExist(mapping, parentStateKeys(mapping.parentState), where);
  return makeNode<S>(toGraph(graph, where), mapping, where);
}

/**
 * Adds a DRR node named `name` to a `StateGraph` builder and returns the builder, so edges to and
 * from the node can follow. Every mapped key is checked against the builder's state schema first:
 * a key it does not have fails with `GraphError` "MAPPING_KEY_MISSING", naming the key and the
 * available keys.
 *
 * @example
 * const graph = addDrrSubgraph(new StateGraph(Parent).addNode("prepare", prepare), "drr", {
 *   graph: { model, discriminator },
 *   input: { question: "userQuestion" },
 *   output: { answer: "finalAnswer", outcome: "verdict" },
 * }).addEdge("prepare", "drr");
 */
export function addDrrSubgraph<
  SD,
  S,
  U,
  N extends string,
  I extends StateDefinitionInit,
  O extends StateDefinitionInit,
  C extends StateDefinitionInit,
  NR,
  IT,
  WT,
  K extends string,
>(
  builder: StateGraph<SD, S, U, N, I, O, C, NR, IT, WT>,
  name: K,
  options: DrrSubgraphOptions,
): StateGraph<SD, S, U, N | K, I, O, C, NR, IT, WT> {
  const where = `addDrrSubgraph (node "${String(name)}")`;
  if (!builder || typeof builder !== "object" || typeof (builder as { addNode?: unknown }).addNode !== "function") {
    throw new GraphError("INVALID_ARGUMENT", "addDrrSubgraph needs a StateGraph builder (new StateGraph(...)) as its first argument.");
  }
  if (typeof name !== "string" || name === "") throw new GraphError("INVALID_ARGUMENT", "addDrrSubgraph needs a node name, e.g. \"drr\".");
  if (!options || typeof options !== "object") {
    throw new GraphError("INVALID_ARGUMENT", `${where} needs options: { graph, input: { question }, output: { answer } }.`);
  }
  checkMappingShape(options, where);
  const channels = (builder as { channels?: Record<string, unknown> }).channels;
  if (channels && typeof channels === "object") checkKeysExist(options, Object.keys(channels), where);
  const node = makeNode(toGraph(options.graph, where), options, where);
  type AddNode = (key: string, action: DrrNodeFunction) => StateGraph<SD, S, U, N | K, I, O, C, NR, IT, WT>;
  return (builder.addNode as unknown as AddNode).call(builder, name, node);
}
