import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { BaseChatModel, type BaseChatModelParams } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { DrrError } from "../errors.js";

/** One scripted turn: a reply text, a full message (e.g. with tool calls), an error to throw, or a function of the prompt. */
export type ScriptStep = string | AIMessage | Error | ((messages: BaseMessage[]) => string | AIMessage | Promise<string | AIMessage>);

export interface ScriptedCall {
  messages: BaseMessage[];
  /** The `temperature` field of the model instance that served the call, if any. */
  temperature: number | undefined;
}

/**
 * A chat model for tests that plays a script, one step per call. A call past the end of the
 * script throws `SCRIPT_EXHAUSTED`, and `assertDone()` throws `SCRIPT_NOT_USED_UP` when steps
 * are left, so a test notices both extra and missing model calls.
 */
export class ScriptedChatModel extends BaseChatModel {
  temperature: number | undefined;
  private readonly state: { steps: ScriptStep[]; next: number; calls: ScriptedCall[] };

  constructor(steps: ScriptStep[], params: BaseChatModelParams & { temperature?: number } = {}) {
    super(params);
    this.temperature = params.temperature;
    // The state object is shared with the copies `withTemperature` makes.
    this.state = { steps: [...steps], next: 0, calls: [] };
  }

  /** Every call made so far, in order. */
  get calls(): ScriptedCall[] {
    return this.state.calls;
  }

  /** Steps not yet played. */
  get remaining(): number {
    return this.state.steps.length - this.state.next;
  }

  /** Throws when the script has steps left. */
  assertDone(): void {
    if (this.remaining > 0) {
      throw new DrrError("SCRIPT_NOT_USED_UP", `The scripted model has ${this.remaining} unused step(s) of ${this.state.steps.length}.`);
    }
  }

  /** A copy at another temperature that shares this model's script and call log. */
  withTemperature(temperature: number): ScriptedChatModel {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as ScriptedChatModel;
    return Object.assign(copy, this, { temperature });
  }

  /** Tools are accepted and ignored: scripted replies carry their own tool calls. */
  override bindTools(): this {
    return this;
  }

  _llmType(): string {
    return "scripted";
  }

  async _generate(messages: BaseMessage[], _options: this["ParsedCallOptions"], _run?: CallbackManagerForLLMRun): Promise<ChatResult> {
    const step = this.state.steps[this.state.next];
    this.state.calls.push({ messages, temperature: this.temperature });
    if (step === undefined) {
      throw new DrrError("SCRIPT_EXHAUSTED", `The scripted model was called ${this.state.calls.length} times but has ${this.state.steps.length} step(s).`);
    }
    this.state.next += 1;
    if (step instanceof Error) throw step;
    const reply = typeof step === "function" ? await step(messages) : step;
    const message = typeof reply === "string" ? new AIMessage(reply) : reply;
    const text = typeof message.content === "string" ? message.content : "";
    message.usage_metadata ??= { input_tokens: 10, output_tokens: Math.ceil(text.length / 4), total_tokens: 10 + Math.ceil(text.length / 4) };
    return { generations: [{ text, message }] };
  }
}
