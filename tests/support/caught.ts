/** What `f` throws, or undefined when it returns. */
export function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** What `fn` throws or rejects with; fails the test when it succeeds. */
export async function caughtAsync(fn: () => unknown): Promise<Error & { code?: string }> {
  try {
    await fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected an error");
}
