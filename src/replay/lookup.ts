/**
 * Finds which replay item a prompt is asking about, by looking for the item's question text in
 * the prompt's messages. Shared by the replay chat model and the replay HTTP server.
 */
import { ReplayError } from "../errors.js";
import type { ReplayItem } from "./format.js";

/** A prompt message reduced to what replay needs: an OpenAI-style role and its text. */
export interface PromptMessage {
  /** "system", "user", "assistant", "tool" or another role name. */
  role: string;
  /** The message's text content. */
  content: string;
}

/** Single quotes and apostrophes written in other ways: ‘ ’ ‚ ‛ ′ ‹ › ＇ and the modifier-letter apostrophe. */
const SINGLE_QUOTES = /[\u2018\u2019\u201A\u201B\u2032\u2039\u203A\u02BC\uFF07]/g;
/** Double quotes written in other ways: “ ” „ ‟ ″ « » ＂. */
const DOUBLE_QUOTES = /[\u201C\u201D\u201E\u201F\u2033\u00AB\u00BB\uFF02]/g;
/** Dashes and minus signs: hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus. */
const DASHES = /[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uFE58\uFE63\uFF0D]/g;

/**
 * The form in which questions are compared: Unicode NFKC (full-width letters and digits,
 * ligatures and composed accents become their plain forms), curly and other quotes and
 * apostrophes become straight ones (' and "), en and em dashes and minus signs become "-",
 * every run of whitespace becomes one space, and the ends are trimmed. A prompt that differs from
 * a data set's question only in these ways finds that question.
 */
export function normalizeQuestion(text: string): string {
  return text
    .normalize("NFKC")
    .replace(SINGLE_QUOTES, "'")
    .replace(DOUBLE_QUOTES, '"')
    .replace(DASHES, "-")
    .replace(/\s+/g, " ")
    .trim();
}

/** An index of replay items by normalised question text (see `normalizeQuestion`). */
export class QuestionIndex {
  readonly items: readonly ReplayItem[];
  private readonly byQuestion = new Map<string, ReplayItem>();
  /** Normalised questions, longest first, for substring search. */
  private readonly questionsLongestFirst: string[];

  /**
   * Indexes the items. Two items with different ids and the same normalised question would make
   * prompts ambiguous, so that fails with "REPLAY_DUPLICATE_QUESTION".
   */
  constructor(items: readonly ReplayItem[]) {
    this.items = items;
    for (const item of items) {
      const key = normalizeQuestion(item.question);
      if (key.length === 0) {
        throw new ReplayError("REPLAY_INVALID_ITEM", `Replay item "${item.id}" has an empty question.`);
      }
      const existing = this.byQuestion.get(key);
      if (existing !== undefined && existing.id !== item.id) {
        throw new ReplayError(
          "REPLAY_DUPLICATE_QUESTION",
          `Replay items "${existing.id}" and "${item.id}" have the same question text, so a prompt ` +
            `could not tell them apart; drop one of them.`,
        );
      }
      if (existing === undefined) this.byQuestion.set(key, item);
    }
    this.questionsLongestFirst = [...this.byQuestion.keys()].sort((a, b) => b.length - a.length);
  }

  /** Number of distinct questions indexed. */
  get size(): number {
    return this.byQuestion.size;
  }

  /** The item whose normalised question equals the normalised text, if any. */
  findExact(text: string): ReplayItem | undefined {
    return this.byQuestion.get(normalizeQuestion(text));
  }

  /** The item with the longest question contained in the text, if any. */
  findContained(text: string): ReplayItem | undefined {
    const haystack = normalizeQuestion(text);
    for (const question of this.questionsLongestFirst) {
      if (question.length > haystack.length) continue;
      if (haystack.includes(question)) return this.byQuestion.get(question);
    }
    return undefined;
  }

  /**
   * The item a prompt asks about. Tried in order, latest message first within each step:
   * a user message whose whole content is a question; a user message containing a question
   * (the longest such question wins); any other message containing a question.
   */
  find(messages: readonly PromptMessage[]): ReplayItem | undefined {
    const latestFirst = [...messages].reverse();
    const user = latestFirst.filter((m) => m.role === "user");
    const others = latestFirst.filter((m) => m.role !== "user");
    for (const message of user) {
      const item = this.findExact(message.content);
      if (item !== undefined) return item;
    }
    for (const message of [...user, ...others]) {
      const item = this.findContained(message.content);
      if (item !== undefined) return item;
    }
    return undefined;
  }
}

const indexCache = new WeakMap<readonly ReplayItem[], QuestionIndex>();

/** Returns the index itself, or a (cached per array) index of the items. */
export function toQuestionIndex(source: QuestionIndex | readonly ReplayItem[]): QuestionIndex {
  if (source instanceof QuestionIndex) return source;
  let index = indexCache.get(source);
  if (index === undefined) {
    index = new QuestionIndex(source);
    indexCache.set(source, index);
  }
  return index;
}
