import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { answerKindOf, DECISIONS, type AnswerKind, type PriorAttempt } from "../attempt.js";
import { answerFormat, isAnswerKind, type AnswerFormat } from "../answers/index.js";
import { answerKindFormat } from "../answers/kind-option.js";
import { BehaviorError, type DrrErrorCode } from "../errors.js";
import { checkLabel, toLabeler, trajectoryToRecords, type LabelFunction, type Labeler } from "./labels.js";
import type { AttemptRecord, Decision } from "./record.js";
import { asRecord, readChainStartArgs, RunTree, serializedName, type RunNode, type RunType } from "./run-tree.js";
import { registerForShutdown, unregisterForShutdown, type ShutdownTarget } from "./shutdown.js";
import { isPostgresUrl, PostgresSink } from "./postgres-sink.js";
import { isSink, JsonlSink, type BehaviorSink, type SinkItem } from "./sinks.js";
import type { ToolCallRecord, Trajectory, TrajectoryAttempt, TrajectoryError } from "./trajectory.js";
import { firstHumanText, parseToolInput, readModelReply, toolOutputValue } from "./messages.js";

/** What the collector writes to its sink. */
export type CollectorWrite = "records" | "trajectories" | "both";

/** The collector's own counters. */
export interface CollectorStats {
  /** Root runs turned into trajectories (complete or error). */
  trajectories: number;
  /** Attempt records stored in the sink. */
  records: number;
  /** Failures of the collector itself (sink, labeler, bookkeeping); none reaches the agent. */
  errors: number;
  /** Items or runs lost: failed writes, runs evicted by `maxOpenRuns`, runs started after `close()`. */
  dropped: number;
}

export interface BehaviorCollectorOptions {
  /**
   * Where data goes: a sink, a file path for a `JsonlSink` (checked at once), or a `postgres://` /
   * `postgresql://` URL for a `PostgresSink` (needs the `pg` package; connects on the first write). Required.
   */
  sink: BehaviorSink | string;
  /** What to write: attempt records (default), trajectories, or both. */
  write?: CollectorWrite;
  /**
   * How answers are extracted when the run's input names no `answerKind`: a built-in kind or a custom
   * `AnswerFormat` (checked and registered under its `kind`, which records carry as `answerKind`). Defaults to "number".
   */
  answerKind?: AnswerKind | AnswerFormat;
  /** @deprecated Since 0.2: the old name of `answerKind`, which it works as (with a one-time DeprecationWarning); removed in the next release. */
  answer?: AnswerKind | AnswerFormat;
  /** Labels each record before it is written. Without one, records are written with label null. */
  labeler?: Labeler | LabelFunction;
  /**
   * Only chat-model calls made inside these LangGraph nodes count as attempts. By default every
   * call that ends with text and no tool calls counts.
   */
  attemptNodes?: readonly string[];
  /** Most root runs held open at once; the oldest open run is dropped (and counted) beyond it. Defaults to 1000. */
  maxOpenRuns?: number;
  /** Called with each failure of the collector. By default the first failure is logged with `console.warn`. */
  onError?: (error: BehaviorError) => void;
  /**
   * On SIGTERM/SIGINT, write what is queued before the process ends (default true). When nothing
   * else handles the signal, the collector is closed, a line on stderr says what was written, and
   * the process exits with 143 (SIGTERM) or 130 (SIGINT) within 5 s; when the application handles
   * the signal itself, the collector is only flushed and the application's shutdown goes on.
   */
  closeOnSignal?: boolean;
}

/** A chat-model call that ended with an answer text. */
interface CapturedAttempt {
  seq: number;
  text: string;
  node: string | null;
  model: string | null;
  tokens: number | null;
  latencyMs: number;
  /** The model's own confidence, from the reply's token logprobs; null when it gave none. */
  confidence: number | null;
}

/** An attempt as the DRR graph keeps it in its state. */
interface DrrAttemptLike {
  index: number;
  text: string;
  answer: string | null;
  score: number | null;
  decision: Decision | null;
  feedback: string | null;
  model: string | null;
  tokens: number | null;
  confidence: number | null;
}

/** A root run still going. */
interface OpenTrajectory {
  id: string;
  startedAt: Date;
  rootType: RunType;
  inputs: Record<string, unknown>;
  metadata: Record<string, unknown>;
  threadId: string | null;
  firstHuman: string | undefined;
  seq: number;
  calls: Map<string, { seq: number; model: string | null }>;
  attempts: CapturedAttempt[];
  toolCalls: Map<string, ToolCallRecord>;
  drr: Map<number, DrrAttemptLike>;
}

const DECISION_SET = new Set<string>(DECISIONS);

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function errorInfo(error: unknown): TrajectoryError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(typeof code === "string" && { code }) };
  }
  return { name: "Error", message: String(error) };
}

/** Reads the DRR-shaped attempts of a graph output or node update; other shapes give nothing. */
function drrAttemptsOf(outputs: unknown): DrrAttemptLike[] {
  // The DRR graph keeps its attempts in `attempts`; the createAgent middleware in `drrAttempts`.
  const state = asRecord(outputs);
  const attempts = Array.isArray(state.attempts) ? state.attempts : state.drrAttempts;
  if (!Array.isArray(attempts)) return [];
  const found: DrrAttemptLike[] = [];
  for (const item of attempts) {
    const a = asRecord(item);
    if (typeof a.index !== "number" || !Number.isInteger(a.index) || a.index < 0 || typeof a.text !== "string") continue;
    const usage = asRecord(a.usage);
    found.push({
      index: a.index,
      text: a.text,
      answer: typeof a.answer === "string" ? a.answer : null,
      score: typeof a.score === "number" ? a.score : null,
      decision: typeof a.decision === "string" && DECISION_SET.has(a.decision) ? (a.decision as Decision) : null,
      feedback: typeof a.feedback === "string" ? a.feedback : null,
      model: typeof a.model === "string" ? a.model : null,
      tokens: typeof usage.totalTokens === "number" ? usage.totalTokens : null,
      confidence: typeof a.confidence === "number" && Number.isFinite(a.confidence) ? a.confidence : null,
    });
  }
  return found;
}

/** The model name a chat-model start tells: LangSmith metadata, invocation params, run name, or class. */
function modelNameOf(serialized: unknown, extraParams: unknown, metadata: Record<string, unknown>, runName: unknown): string | null {
  const params = asRecord(asRecord(extraParams).invocation_params);
  return (
    str(metadata.ls_model_name) ??
    str(params.model) ??
    str(params.model_name) ??
    str(params.modelName) ??
    str(runName) ??
    serializedName(serialized) ??
    null
  );
}

/**
 * A LangChain callback handler that captures behavioural data from ordinary runs: attach it with
 * `config.callbacks` to a DRR graph, a `createAgent` agent, any LangGraph graph or a bare chat
 * model. It rebuilds the run tree from the callbacks, turns each root run into a `Trajectory`
 * when the root ends, and writes attempt records (and/or trajectories) to its sink.
 *
 * The handler sets `awaitHandlers = true`: its callbacks only do in-memory bookkeeping, so running
 * them inline costs the agent next to nothing, and it guarantees that when `invoke` resolves the
 * root run's end has been seen and its writes queued. Writing happens on the collector's own
 * queue, outside the agent's path; `await collector.flush()` waits for it.
 *
 * The collector never throws into the run: its failures are counted in `stats.errors` and passed
 * to `onError`.
 */
export class BehaviorCollector extends BaseCallbackHandler {
  name = "BehaviorCollector";
  override awaitHandlers = true;

  readonly sink: BehaviorSink;
  readonly stats: CollectorStats = { trajectories: 0, records: 0, errors: 0, dropped: 0 };
  /** The most recent failure of the collector, if any. */
  lastError: BehaviorError | null = null;

  private readonly writeWhat: CollectorWrite;
  private readonly answerKind: AnswerKind;
  private readonly labeler: Labeler | null;
  private readonly attemptNodes: ReadonlySet<string> | null;
  private readonly maxOpenRuns: number;
  private readonly onError: ((error: BehaviorError) => void) | undefined;
  private readonly tree = new RunTree();
  private readonly open = new Map<string, OpenTrajectory>();
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  private closed = false;
  private warned = false;
  private readonly shutdown: ShutdownTarget | undefined;

  constructor(options: BehaviorCollectorOptions) {
    super();
    if (!options || typeof options !== "object") {
      throw new BehaviorError("INVALID_ARGUMENT", "BehaviorCollector needs options: { sink: \"data/behavior.jsonl\" } or { sink: new MemorySink() }.");
    }
    if (typeof options.sink !== "string" && !isSink(options.sink)) {
      throw new BehaviorError(
        "SINK_REQUIRED",
        "BehaviorCollector needs `sink`: a file path (written as JSON Lines), a JsonlSink, a MemorySink, or any object with write, flush and close.",
      );
    }
    const write = options.write ?? "records";
    if (!["records", "trajectories", "both"].includes(write)) {
      throw new BehaviorError("INVALID_ARGUMENT", `write must be "records", "trajectories" or "both"; got ${JSON.stringify(write)}.`);
    }
    this.writeWhat = write;
    this.answerKind = answerKindFormat(options, (message) => new BehaviorError("INVALID_ARGUMENT", message)).kind as AnswerKind;
    this.labeler = options.labeler === undefined ? null : toLabeler(options.labeler);
    if (options.attemptNodes !== undefined && !Array.isArray(options.attemptNodes)) {
      throw new BehaviorError("INVALID_ARGUMENT", "attemptNodes must be an array of LangGraph node names, e.g. [\"think\"].");
    }
    this.attemptNodes = options.attemptNodes ? new Set(options.attemptNodes) : null;
    const maxOpenRuns = options.maxOpenRuns ?? 1000;
    if (!Number.isInteger(maxOpenRuns) || maxOpenRuns < 1) {
      throw new BehaviorError("INVALID_ARGUMENT", `maxOpenRuns must be a whole number of at least 1; got ${String(maxOpenRuns)}.`);
    }
    this.maxOpenRuns = maxOpenRuns;
    this.onError = options.onError;
    // Opened last, so that bad options do not leave a file locked.
    this.sink =
      typeof options.sink !== "string" ? options.sink : isPostgresUrl(options.sink) ? new PostgresSink(options.sink) : new JsonlSink(options.sink);
    if (options.closeOnSignal !== false) {
      const where = this.sink instanceof JsonlSink ? this.sink.path : this.sink instanceof PostgresSink ? this.sink.url : "the sink";
      this.shutdown = {
        flush: () => this.flush(),
        close: () => this.close(),
        summary: () => `${this.stats.records} records written to ${where}, ${this.stats.dropped} lost`,
      };
      registerForShutdown(this.shutdown);
    }
  }

  /** What the collector holds in memory right now: runs, open root runs and queued writes. */
  inFlight(): { runs: number; trajectories: number; pendingWrites: number } {
    return { runs: this.tree.size, trajectories: this.open.size, pendingWrites: this.pending };
  }

  /** Waits until every finished trajectory has been labelled and written, then flushes the sink. */
  async flush(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.queue) {
      seen = this.queue;
      await seen;
    }
    try {
      await this.sink.flush();
    } catch (error) {
      this.report("SINK_FLUSH_FAILED", "Flushing the behaviour sink failed", error);
    }
  }

  /**
   * Ends collection: runs still open are written as partial trajectories with status "error",
   * everything is flushed and the sink is closed. Runs that start later are ignored and counted
   * in `stats.dropped`.
   */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      for (const open of [...this.open.values()]) {
        this.finish(open, "error", undefined, new BehaviorError("COLLECTOR_CLOSED", "The collector was closed before this run ended."));
      }
    }
    await this.flush();
    try {
      await this.sink.close();
    } catch (error) {
      this.report("SINK_CLOSE_FAILED", "Closing the behaviour sink failed", error);
    }
    if (this.shutdown) unregisterForShutdown(this.shutdown);
  }

  // Callback handlers. Each one guards its body so that no failure reaches the run.

  override handleChainStart(
    chain: unknown,
    inputs: unknown,
    runId: string,
    a3?: unknown,
    tags?: unknown,
    metadata?: unknown,
    a6?: unknown,
    a7?: unknown,
  ): void {
    this.guard("handleChainStart", () => {
      const args = readChainStartArgs(a3, tags, metadata, a6, a7);
      const name = args.runName ?? serializedName(chain) ?? "chain";
      this.startRun(runId, args.parentRunId, "chain", name, args.metadata, inputs);
    });
  }

  override handleChainEnd(outputs: unknown, runId: string): void {
    this.guard("handleChainEnd", () => {
      const found = this.lookup(runId);
      if (!found) return;
      const { run, open } = found;
      for (const attempt of drrAttemptsOf(outputs)) open.drr.set(attempt.index, attempt);
      if (run.id === run.rootId) this.finish(open, "complete", asRecord(outputs));
    });
  }

  override handleChainError(error: unknown, runId: string): void {
    this.guard("handleChainError", () => {
      const found = this.lookup(runId);
      if (found && found.run.id === found.run.rootId) this.finish(found.open, "error", undefined, error);
    });
  }

  override handleChatModelStart(
    llm: unknown,
    messages: unknown,
    runId: string,
    parentRunId?: string,
    extraParams?: unknown,
    _tags?: unknown,
    metadata?: unknown,
    runName?: unknown,
  ): void {
    this.guard("handleChatModelStart", () => {
      const meta = asRecord(metadata);
      const groups = Array.isArray(messages) ? messages : [];
      const model = modelNameOf(llm, extraParams, meta, runName);
      this.startModelRun(runId, parentRunId, meta, model, firstHumanText(groups[0]), { messages: groups[0] ?? [] });
    });
  }

  override handleLLMStart(
    llm: unknown,
    prompts: unknown,
    runId: string,
    parentRunId?: string,
    extraParams?: unknown,
    _tags?: unknown,
    metadata?: unknown,
    runName?: unknown,
  ): void {
    this.guard("handleLLMStart", () => {
      const meta = asRecord(metadata);
      const prompt = Array.isArray(prompts) && typeof prompts[0] === "string" ? prompts[0] : undefined;
      const model = modelNameOf(llm, extraParams, meta, runName);
      this.startModelRun(runId, parentRunId, meta, model, prompt, { input: prompt ?? "" });
    });
  }

  override handleLLMEnd(output: unknown, runId: string): void {
    this.guard("handleLLMEnd", () => {
      const found = this.lookup(runId);
      if (!found) return;
      const { run, open } = found;
      const call = open.calls.get(runId);
      open.calls.delete(runId);
      const reply = readModelReply(output);
      // An empty reply is an attempt too (real models return them): it has no answer, and the DM judges it.
      if (call && reply && !reply.hasToolCalls && this.countsAsAttempt(run.node)) {
        open.attempts.push({
          seq: call.seq,
          // A blank reply is recorded as "", as the Reasoner records it, so it matches the graph's attempt.
          text: reply.text.trim() === "" ? "" : reply.text,
          node: run.node,
          model: call.model,
          tokens: reply.tokens,
          latencyMs: performance.now() - run.startedPerf,
          confidence: reply.confidence,
        });
      }
      if (run.id === run.rootId) this.finish(open, "complete", {});
    });
  }

  override handleLLMError(error: unknown, runId: string): void {
    this.guard("handleLLMError", () => {
      const found = this.lookup(runId);
      if (!found) return;
      found.open.calls.delete(runId);
      if (found.run.id === found.run.rootId) this.finish(found.open, "error", undefined, error);
    });
  }

  override handleToolStart(
    tool: unknown,
    input: unknown,
    runId: string,
    parentRunId?: string,
    _tags?: unknown,
    metadata?: unknown,
    runName?: unknown,
  ): void {
    this.guard("handleToolStart", () => {
      const name = str(runName) ?? serializedName(tool) ?? "tool";
      const open = this.startRun(runId, parentRunId ?? null, "tool", name, asRecord(metadata), { input });
      open?.toolCalls.set(runId, { name, input: parseToolInput(input), output: null });
    });
  }

  override handleToolEnd(output: unknown, runId: string): void {
    this.guard("handleToolEnd", () => {
      const found = this.lookup(runId);
      if (!found) return;
      const call = found.open.toolCalls.get(runId);
      if (call) call.output = toolOutputValue(output);
      if (found.run.id === found.run.rootId) this.finish(found.open, "complete", {});
    });
  }

  override handleToolError(error: unknown, runId: string): void {
    this.guard("handleToolError", () => {
      const found = this.lookup(runId);
      if (!found) return;
      const call = found.open.toolCalls.get(runId);
      if (call) call.error = errorInfo(error).message;
      if (found.run.id === found.run.rootId) this.finish(found.open, "error", undefined, error);
    });
  }

  // Bookkeeping.

  private guard(where: string, body: () => void): void {
    try {
      body();
    } catch (error) {
      this.report("COLLECTOR_FAILED", `The behaviour collector failed in ${where}`, error);
    }
  }

  private report(code: DrrErrorCode, what: string, cause: unknown): void {
    const error =
      cause instanceof BehaviorError
        ? cause
        : new BehaviorError(
            code,
            `${what}: ${cause instanceof Error ? cause.message : String(cause)}. The run was not affected; fix the sink or labeler and check collector.stats.`,
            { cause },
          );
    this.stats.errors += 1;
    this.lastError = error;
    try {
      if (this.onError) this.onError(error);
      else if (!this.warned) {
        this.warned = true;
        console.warn(`langgraph-drr: ${error.message} (further collector errors are only counted in collector.stats.errors)`);
      }
    } catch {
      // A failing error callback must not reach the run either.
    }
  }

  private lookup(runId: string): { run: RunNode; open: OpenTrajectory } | undefined {
    const run = this.tree.get(runId);
    if (!run) return undefined;
    const open = this.open.get(run.rootId);
    return open ? { run, open } : undefined;
  }

  private countsAsAttempt(node: string | null): boolean {
    return this.attemptNodes === null || (node !== null && this.attemptNodes.has(node));
  }

  /** Records a started run; opens a trajectory for a root. Returns the run's trajectory. */
  private startRun(
    runId: string,
    parentRunId: string | null,
    type: RunType,
    name: string,
    metadata: Record<string, unknown>,
    inputs: unknown,
  ): OpenTrajectory | undefined {
    if (typeof runId !== "string") return undefined;
    const parentKnown = parentRunId !== null && this.tree.get(parentRunId) !== undefined;
    if (!parentKnown) {
      if (this.closed) {
        this.stats.dropped += 1;
        return undefined;
      }
      this.evictIfFull();
    }
    const { run, isRoot } = this.tree.start(runId, parentRunId, type, name, metadata);
    if (isRoot) {
      this.open.set(run.id, {
        id: run.id,
        startedAt: new Date(),
        rootType: type,
        inputs: asRecord(inputs),
        metadata,
        threadId: null,
        firstHuman: undefined,
        seq: 0,
        calls: new Map(),
        attempts: [],
        toolCalls: new Map(),
        drr: new Map(),
      });
    }
    const open = this.open.get(run.rootId);
    if (open && open.threadId === null) {
      const configurable = asRecord(metadata.configurable);
      open.threadId = str(metadata.thread_id) ?? str(configurable.thread_id) ?? null;
    }
    return open;
  }

  private startModelRun(
    runId: string,
    parentRunId: string | undefined,
    metadata: Record<string, unknown>,
    model: string | null,
    humanText: string | undefined,
    inputs: unknown,
  ): void {
    const open = this.startRun(runId, typeof parentRunId === "string" ? parentRunId : null, "llm", model ?? "llm", metadata, inputs);
    if (!open) return;
    open.calls.set(runId, { seq: open.seq++, model });
    if (open.firstHuman === undefined && humanText !== undefined) open.firstHuman = humanText;
  }

  private evictIfFull(): void {
    while (this.open.size >= this.maxOpenRuns) {
      const oldest = this.open.keys().next().value as string | undefined;
      if (oldest === undefined) return;
      this.open.delete(oldest);
      this.tree.dropRoot(oldest);
      this.stats.dropped += 1;
      this.report(
        "TOO_MANY_OPEN_RUNS",
        "Dropped the oldest unfinished run",
        new BehaviorError(
          "TOO_MANY_OPEN_RUNS",
          `More than ${this.maxOpenRuns} runs were open at once, so the oldest unfinished run (${oldest}) was dropped. Raise \`maxOpenRuns\` if you run that many at once.`,
        ),
      );
    }
  }

  /** Turns an open root run into a trajectory, forgets its runs and queues its writes. */
  private finish(open: OpenTrajectory, status: "complete" | "error", outputs: Record<string, unknown> | undefined, error?: unknown): void {
    this.open.delete(open.id);
    this.tree.dropRoot(open.id);
    let trajectory: Trajectory;
    try {
      trajectory = this.buildTrajectory(open, status, outputs ?? {}, error);
    } catch (failure) {
      this.stats.dropped += 1;
      this.report("TRAJECTORY_FAILED", "Building a trajectory failed", failure);
      return;
    }
    this.stats.trajectories += 1;
    this.pending += 1;
    this.queue = this.queue
      .then(() => this.persist(trajectory))
      .catch((failure: unknown) => this.report("SINK_WRITE_FAILED", "Writing a trajectory failed", failure))
      .finally(() => {
        this.pending -= 1;
      });
  }

  /** The run's answer kind: its input's (or output's) `answerKind`, else its deprecated `task`, when that is a known kind; else the collector's. */
  private answerKindOf(open: OpenTrajectory, outputs: Record<string, unknown>): AnswerKind {
    const kind = str(open.inputs.answerKind) ?? str(outputs.answerKind);
    if (kind !== undefined && isAnswerKind(kind)) return kind as AnswerKind;
    // Another agent's `task` input that is no answer kind (e.g. a task description) is not the old name.
    const old = str(open.inputs.task) ?? str(outputs.task);
    if (old !== undefined && isAnswerKind(old)) return answerKindOf({ task: old as AnswerKind }, "the DRR graph's input") as AnswerKind;
    return this.answerKind;
  }

  private buildTrajectory(open: OpenTrajectory, status: "complete" | "error", outputs: Record<string, unknown>, error: unknown): Trajectory {
    const { inputs, metadata } = open;
    const answerKind = this.answerKindOf(open, outputs);
    const format = answerFormat(answerKind);
    const captured = [...open.attempts].sort((a, b) => a.seq - b.seq);
    const { attempts, priorAttempts } =
      open.drr.size > 0 ? this.matchDrrAttempts(captured, open.drr) : { attempts: this.plainAttempts(captured, format), priorAttempts: [] };

    const question =
      str(inputs.question) ?? str(outputs.question) ?? firstHumanText(inputs.messages) ?? str(inputs.input) ?? open.firstHuman ?? "";
    const questionId =
      str(inputs.questionId) ?? str(inputs.question_id) ?? str(metadata.questionId) ?? str(metadata.question_id) ?? str(outputs.questionId);
    const gold = str(inputs.gold) ?? str(metadata.gold) ?? str(outputs.gold);

    let finalAnswer: string | null = null;
    if (status === "complete") {
      // A DRR graph states its final answer (null when it abstained); for other runs it is the
      // answer of the last attempt.
      if (open.drr.size > 0) finalAnswer = typeof outputs.answer === "string" ? outputs.answer : null;
      else finalAnswer = attempts.at(-1)?.answer ?? null;
    }
    const outcome = str(outputs.outcome);
    return {
      id: open.id,
      threadId: open.threadId,
      question,
      ...(questionId !== undefined && { questionId }),
      ...(gold !== undefined && { gold }),
      answerKind,
      attempts,
      toolCalls: [...open.toolCalls.values()],
      finalAnswer,
      ...(outcome !== undefined && status === "complete" && { outcome }),
      status,
      ...(status === "error" && { error: errorInfo(error) }),
      startedAt: open.startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      ...(priorAttempts.length > 0 && { priorAttempts }),
    };
  }

  private plainAttempts(captured: CapturedAttempt[], format: AnswerFormat): TrajectoryAttempt[] {
    return captured.map((c, index) => ({
      index,
      text: c.text,
      answer: safeExtract(format, c.text),
      node: c.node,
      model: c.model,
      tokens: c.tokens,
      latencyMs: c.latencyMs,
      ...(c.confidence !== null && { confidence: c.confidence }),
    }));
  }

  /**
   * For a DRR graph, the graph's own attempts (from node updates and the final state) give the
   * index, answer, score, decision and feedback. A model call is matched to the graph attempt
   * with the same text; calls with no match (e.g. an LLM critic inside the evaluate node) are not
   * answer attempts. Graph attempts older than this run's first one (a resumed thread) become
   * `priorAttempts`.
   */
  private matchDrrAttempts(
    captured: CapturedAttempt[],
    drr: Map<number, DrrAttemptLike>,
  ): { attempts: TrajectoryAttempt[]; priorAttempts: PriorAttempt[] } {
    const graphAttempts = [...drr.values()].sort((a, b) => a.index - b.index);
    const used = new Set<number>();
    const attempts: TrajectoryAttempt[] = [];
    for (const c of captured) {
      const match = graphAttempts.find((g) => !used.has(g.index) && g.text === c.text);
      if (!match) continue;
      used.add(match.index);
      attempts.push({
        index: match.index,
        text: c.text,
        answer: match.answer,
        node: c.node,
        model: match.model ?? c.model,
        tokens: c.tokens ?? match.tokens,
        latencyMs: c.latencyMs,
        ...((match.confidence ?? c.confidence) !== null && { confidence: match.confidence ?? c.confidence }),
        score: match.score,
        decision: match.decision,
        feedback: match.feedback,
      });
    }
    attempts.sort((a, b) => a.index - b.index);
    const first = attempts[0]?.index ?? Number.POSITIVE_INFINITY;
    const priorAttempts = graphAttempts
      .filter((g) => g.index < first && !used.has(g.index))
      .map((g) => ({ text: g.text, answer: g.answer, feedback: g.feedback, ...(g.confidence !== null && { confidence: g.confidence }) }));
    return { attempts, priorAttempts };
  }

  /**
   * Labels and writes one finished trajectory; failures are counted, never thrown. A sink that
   * takes overlapping writes (`concurrentWrites`) gets the run's items all at once, so they go out
   * together (one batch of lines, one INSERT); any other sink gets them one at a time.
   */
  private async persist(trajectory: Trajectory): Promise<void> {
    const items: [SinkItem, "record" | "trajectory"][] = [];
    if (this.writeWhat !== "records") items.push([trajectory, "trajectory"]);
    if (this.writeWhat !== "trajectories") {
      for (const record of await this.labelled(trajectoryToRecords(trajectory))) items.push([record, "record"]);
    }
    if (this.sink.concurrentWrites === true) await Promise.all(items.map(([item, what]) => this.store(item, what)));
    else for (const [item, what] of items) await this.store(item, what);
  }

  /** Writes one item and counts it; a failure is counted and reported, never thrown. */
  private async store(item: SinkItem, what: "record" | "trajectory"): Promise<void> {
    try {
      await this.sink.write(item);
      if (what === "record") this.stats.records += 1;
    } catch (error) {
      this.stats.dropped += 1;
      this.report("SINK_WRITE_FAILED", `Writing a ${what} to the sink failed`, error);
    }
  }

  private async labelled(records: AttemptRecord[]): Promise<AttemptRecord[]> {
    const labeler = this.labeler;
    if (!labeler) return records;
    const out: AttemptRecord[] = [];
    for (const record of records) {
      try {
        out.push({ ...record, label: checkLabel(await labeler.label(record), labeler.name) });
      } catch (error) {
        // The record is kept unlabelled; it can be labelled later with labelRecords.
        this.report("LABEL_FAILED", `Labelling a record of question ${record.questionId} failed`, error);
        out.push(record);
      }
    }
    return out;
  }
}

/** Extracts an answer; an extractor that throws counts as finding none. */
function safeExtract(format: AnswerFormat, text: string): string | null {
  try {
    return format.extract(text);
  } catch {
    return null;
  }
}
