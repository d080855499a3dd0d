/**
 * `createMiddleware` for `drrMiddleware` without loading `langchain` when langgraph-drr is
 * imported. langchain's own `createMiddleware` (langchain/dist/agents/middleware.js) only copies
 * the config's hooks into an object marked with the global symbol `Symbol.for("AgentMiddleware")`;
 * importing it means importing all of `langchain` (hundreds of milliseconds), which only
 * `createAgent` users need, and they have it loaded already. This does the same and has
 * langchain's own type, so the middleware is typed exactly as langchain would type it.
 * tests/package/agent-middleware.test.ts checks it against langchain's.
 */
import type { createMiddleware as LangchainCreateMiddleware } from "langchain";

/** langchain's MIDDLEWARE_BRAND (a global symbol, the same in every copy of langchain). */
export const MIDDLEWARE_BRAND = Symbol.for("AgentMiddleware");

/** Builds an agent middleware from its name, state schema and hooks, as langchain's `createMiddleware` does. */
export const createMiddleware = ((config: object) => ({ ...config, [MIDDLEWARE_BRAND]: true })) as unknown as typeof LangchainCreateMiddleware;
