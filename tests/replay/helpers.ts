/**
 * Shared fixtures of the replay tests: a few hand-made items and temporary folders.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReplayItem } from "../../src/replay/format.js";

/** Three small items with distinct questions and several traces each. */
export function sampleItems(): ReplayItem[] {
  return [
    {
      id: "q-ducks",
      question: "Janet's ducks lay 16 eggs per day. She eats three and sells the rest for $2 each. How much does she make?",
      gold: "26",
      answerKind: "number",
      traces: [
        { text: "16 - 3 = 13 eggs, 13 * 2 = 26. The answer is 26.", model: "model-a", source: "test", sourceCorrect: true },
        { text: "She sells 16 eggs for $32. The answer is 32.", model: "model-b", source: "test", sourceCorrect: false },
        { text: "13 eggs at $2 is $26. The answer is 26.", model: "model-c", source: "test", sourceAnswer: "26" },
        { text: "She makes $13. The answer is 13.", model: "model-d", source: "test", sourceAnswer: "13", sourceCorrect: false },
        { text: "The answer is 26.", source: "test" },
      ],
    },
    {
      id: "q-robe",
      question: "A robe takes 2 bolts of blue fiber and half that much white fiber.  How many bolts in total does it take?",
      gold: "3",
      answerKind: "number",
      traces: [
        { text: "2 + 1 = 3. The answer is 3.", model: "model-a" },
        { text: "2 * 2 = 4. The answer is 4.", model: "model-b" },
        { text: "It takes 3 bolts. The answer is 3.", model: "model-c" },
      ],
    },
    {
      id: "q-24",
      question: "Use the four numbers 4 5 6 10 and basic arithmetic operations (+ - * /) to obtain 24.",
      gold: "4 5 6 10",
      answerKind: "game24",
      traces: [
        { text: "Answer: (10 - 4) * (6 - 5) * 4 = 24", model: "gpt-4", sourceCorrect: false },
        { text: "Answer: 4 * (10 - 6) + 5 = 21", model: "gpt-4", sourceCorrect: false },
      ],
    },
  ];
}

/** Makes a temporary folder and returns it with a function that removes it. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `drr-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
