/**
 * The run tree the collector rebuilds from callbacks, and the helpers that read callback
 * arguments robustly. LangChain calls `handleChainStart` with an argument order that differs from
 * its declared type, so the chain-start arguments are recognised by their values, not by position.
 */

export type RunType = "chain" | "llm" | "tool";

/** One run the collector has seen start. */
export interface RunNode {
  id: string;
  /** The parent run's id, or null for a root run. */
  parentId: string | null;
  /** The id of the root run this run belongs to. */
  rootId: string;
  type: RunType;
  name: string;
  /** `metadata.langgraph_node` of the run, or the nearest ancestor's, or null outside a graph. */
  node: string | null;
  metadata: Record<string, unknown>;
  /** `performance.now()` at the start, for latencies. */
  startedPerf: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a uuid-like string, as run ids are. */
export function isRunId(value: unknown): value is string {
  return typeof value === "string" && value.length === 36 && UUID.test(value);
}

/** Returns the value when it is a plain object, else an empty object. */
export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The arguments of a chain start, whichever order they came in. */
export interface ChainStartArgs {
  parentRunId: string | null;
  tags: string[];
  metadata: Record<string, unknown>;
  runType: string | undefined;
  runName: string | undefined;
}

/**
 * Reads the arguments after `runId` of `handleChainStart`. @langchain/core 1.4 really calls
 * `(chain, inputs, runId, parentRunId, tags, metadata, runType, runName, extra)`, while the
 * declared type says `(chain, inputs, runId, runType, tags, metadata, runName, parentRunId, extra)`.
 * Tags (an array) and metadata (an object) sit at the same places in both orders; the parent run
 * id is recognised as the uuid-like string, so both orders are read correctly.
 *
 * @param a3 the fourth argument (the parent run id in the real order, the run type in the declared one)
 * @param a6 the seventh argument (run type, or run name)
 * @param a7 the eighth argument (run name, or parent run id)
 */
export function readChainStartArgs(a3: unknown, tags: unknown, metadata: unknown, a6: unknown, a7: unknown): ChainStartArgs {
  // Object literals of one shape, not spreads, and no closures: this runs for every chain start of every run.
  const tagList = Array.isArray(tags) ? tags.filter(isString) : [];
  const meta = asRecord(metadata);
  if (isRunId(a3)) {
    return { tags: tagList, metadata: meta, parentRunId: a3, runType: str(a6), runName: str(a7) };
  }
  if (isRunId(a7)) {
    return { tags: tagList, metadata: meta, parentRunId: a7, runType: str(a3), runName: str(a6) };
  }
  if (typeof a3 === "string") {
    // A non-uuid string in fourth place can only be the declared order's run type.
    return { tags: tagList, metadata: meta, parentRunId: null, runType: a3, runName: str(a6) };
  }
  return { tags: tagList, metadata: meta, parentRunId: null, runType: str(a6), runName: str(a7) };
}

function isString(value: unknown): value is string {
  return typeof value === "string";
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A readable name for a serialised runnable: its `name`, else the last part of its `id`. */
export function serializedName(serialized: unknown): string | undefined {
  const s = asRecord(serialized);
  if (typeof s.name === "string" && s.name !== "") return s.name;
  if (Array.isArray(s.id)) {
    const last = s.id.at(-1);
    if (typeof last === "string") return last;
  }
  return undefined;
}

/**
 * The runs the collector has seen, grouped by root. A run whose parent is unknown (no parent, or
 * a parent the collector was not attached to) starts a new root. All runs of a root are forgotten
 * together when the root ends, so memory holds only runs that are still going.
 */
export class RunTree {
  private readonly runs = new Map<string, RunNode>();
  private readonly byRoot = new Map<string, Set<string>>();

  /** Number of runs held. */
  get size(): number {
    return this.runs.size;
  }

  /** Number of open roots. */
  get roots(): number {
    return this.byRoot.size;
  }

  get(runId: string): RunNode | undefined {
    return this.runs.get(runId);
  }

  /** Adds a started run and returns it; `isRoot` tells whether it started a new root. */
  start(
    runId: string,
    parentRunId: string | null,
    type: RunType,
    name: string,
    metadata: Record<string, unknown>,
  ): { run: RunNode; isRoot: boolean } {
    const parent = parentRunId !== null ? this.runs.get(parentRunId) : undefined;
    const ownNode = typeof metadata.langgraph_node === "string" ? metadata.langgraph_node : null;
    const run: RunNode = {
      id: runId,
      parentId: parent ? parent.id : null,
      rootId: parent ? parent.rootId : runId,
      type,
      name,
      node: ownNode ?? parent?.node ?? null,
      metadata,
      startedPerf: performance.now(),
    };
    this.runs.set(runId, run);
    let members = this.byRoot.get(run.rootId);
    if (!members) {
      members = new Set();
      this.byRoot.set(run.rootId, members);
    }
    members.add(runId);
    return { run, isRoot: !parent };
  }

  /** Forgets a root and every run under it. */
  dropRoot(rootId: string): void {
    for (const id of this.byRoot.get(rootId) ?? []) this.runs.delete(id);
    this.byRoot.delete(rootId);
  }
}
