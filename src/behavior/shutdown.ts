import { constants } from "node:os";

/** How long flushing and closing may take on SIGTERM/SIGINT before the process exits anyway. */
export const SHUTDOWN_TIMEOUT_MS = 5000;

/** Something holding behavioural data that must reach its store before the process ends. */
export interface ShutdownTarget {
  /** Writes what is queued; keeps accepting data. */
  flush(): Promise<void>;
  /** Writes what is queued and stops. */
  close(): Promise<void>;
  /** One line saying what was written, e.g. "12 records written to data/b.jsonl, 0 lost". */
  summary(): string;
}

const SIGNALS = ["SIGTERM", "SIGINT"] as const;
type Signal = (typeof SIGNALS)[number];

const targets = new Set<ShutdownTarget>();
const handlers = new Map<Signal, () => void>();

function signalNumber(signal: Signal): number {
  return constants.signals[signal] ?? (signal === "SIGINT" ? 2 : 15);
}

/**
 * On SIGTERM/SIGINT: when no one else listens for the signal (so Node would have ended the process
 * at once), every registered target is closed, a line per target says what was written, and the
 * process exits with 128 + the signal number (130 for SIGINT, 143 for SIGTERM), after at most
 * SHUTDOWN_TIMEOUT_MS. When the application listens for the signal too, its shutdown is its own:
 * the targets are only flushed, and the process is left running.
 */
function onSignal(signal: Signal): void {
  const alone = process.listenerCount(signal) <= 1;
  const list = [...targets];
  const work = Promise.allSettled(list.map((t) => (alone ? t.close() : t.flush())));
  if (!alone) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), SHUTDOWN_TIMEOUT_MS);
  });
  void Promise.race([work.then(() => true as const), timeout]).then((finished) => {
    clearTimeout(timer);
    for (const t of list) {
      let line: string;
      try {
        line = t.summary();
      } catch {
        line = "(no summary)";
      }
      process.stderr.write(`langgraph-drr: ${signal}: ${line}\n`);
    }
    if (!finished) process.stderr.write(`langgraph-drr: ${signal}: not everything was written within ${SHUTDOWN_TIMEOUT_MS / 1000} s.\n`);
    process.exit(128 + signalNumber(signal));
  });
}

/** Flushes (and, when nothing else handles the signal, closes) `target` on SIGTERM/SIGINT until unregistered. */
export function registerForShutdown(target: ShutdownTarget): void {
  targets.add(target);
  for (const signal of SIGNALS) {
    if (handlers.has(signal)) continue;
    const handler = () => onSignal(signal);
    handlers.set(signal, handler);
    process.on(signal, handler);
  }
}

/** Stops handling `target` on signals; the handlers go once no target is left. */
export function unregisterForShutdown(target: ShutdownTarget): void {
  targets.delete(target);
  if (targets.size > 0) return;
  for (const [signal, handler] of handlers) process.off(signal, handler);
  handlers.clear();
}
