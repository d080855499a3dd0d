import { vi } from "vitest";

/** The options of a deprecation warning of a renamed name (src/deprecation.ts). */
export const DEPRECATION = { type: "DeprecationWarning", code: "DRR_DEP_NAME" };

/**
 * Starts counting the process's warnings (none is printed); restored by `vi.restoreAllMocks()`.
 * Call it after `vi.resetModules()` and import the library afresh, so that the library's
 * "once per process" starts over and the count is the test's own.
 */
export function captureWarnings(): { messages: () => string[]; options: () => unknown[] } {
  const emit = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
  return { messages: () => emit.mock.calls.map((c) => String(c[0])), options: () => emit.mock.calls.map((c) => c[1]) };
}
