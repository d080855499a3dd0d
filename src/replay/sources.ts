/**
 * The public files the replay datasets are built from, pinned to a commit and a sha256.
 * The values are copied from the shared data manifest; they are constants so that loading a
 * dataset never depends on reading the manifest at run time.
 */

/** One public file, addressed as `https://raw.githubusercontent.com/<repo>/<commit>/<path>`. */
export interface DataSource {
  /** GitHub repository as "owner/name". */
  readonly repo: string;
  /** Full 40-hex commit the file is pinned to. */
  readonly commit: string;
  /** Path of the file inside the repository. */
  readonly path: string;
  /** Lower-case hex sha256 of the file's bytes. */
  readonly sha256: string;
  /** Size of the file in bytes. */
  readonly bytes: number;
  /** SPDX identifier of the license the file is published under, or `NO_LICENSE`. */
  readonly license: string;
}

const FAITHFUL_COT = "veronica320/Faithful-COT";
const FAITHFUL_COT_COMMIT = "301784317c99cf348cfad92a1b3e8810900e095b";
const GRADE_SCHOOL_MATH = "openai/grade-school-math";
const GRADE_SCHOOL_MATH_COMMIT = "3101c7d5072418e28b9008a6636bde82a006892c";
const REREADING = "Tebmer/Rereading-LLM-Reasoning";
const REREADING_COMMIT = "0dbad50be663c2ea8c46334c2f9a086980d3e318";
const SVAMP = "arkilpatel/SVAMP";
const SVAMP_COMMIT = "689d7ccac74b9983a2ac7cc3b264f441b99e7c53";
const TREE_OF_THOUGHT = "princeton-nlp/tree-of-thought-llm";
const TREE_OF_THOUGHT_COMMIT = "ab400345c5ea39d28ea6d7d3be0e417b11113c87";
const VERIFY_COT = "lz1oceani/verify_cot";
const VERIFY_COT_COMMIT = "b458aa02880d9be95ab1d702277081c781e880cb";
const SC_CONF = "wan19990901/SC_conf";
const SC_CONF_COMMIT = "d1fa978024d948f7a020eebed710cb8e1fbad38b";
const LLM_REASONING = "macklinhrw/llm-reasoning";
const LLM_REASONING_COMMIT = "786fbc4476c00e37ed124795dd267208f61bdabc";

/**
 * The license entry of files published without any license (no LICENSE file in the repository),
 * as the shared data manifest words it: they may be read for evaluation, never redistributed.
 */
export const NO_LICENSE = "none stated (no LICENSE file): evaluation use, never redistributed";

function faithful(path: string, sha256: string, bytes: number): DataSource {
  return { repo: FAITHFUL_COT, commit: FAITHFUL_COT_COMMIT, path, sha256, bytes, license: "MIT" };
}

function scConf(path: string, sha256: string, bytes: number): DataSource {
  return { repo: SC_CONF, commit: SC_CONF_COMMIT, path, sha256, bytes, license: NO_LICENSE };
}

/** The Faithful-COT model settings whose greedy chain-of-thought outputs are replayed, in trace order. */
export const FAITHFUL_COT_MODELS = [
  "code001",
  "code002",
  "text002",
  "text003",
  "gpt-3.5-turbo",
  "gpt4",
] as const;

/** One of the Faithful-COT model settings. */
export type FaithfulCotModel = (typeof FAITHFUL_COT_MODELS)[number];

/** Every pinned public file, by a stable name. */
export const DATA_SOURCES = {
  faithfulGsm8kTest: faithful(
    "data/GSM8K/test.jsonl",
    "82afbbbdb73b093558158839f1ea36c1eaf5f9998954485e8a042f15345c420a",
    763640,
  ),
  faithfulGsm8k_code001: faithful(
    "output_dir/GSM8K/test/code001_COT/predictions.jsonl",
    "a089367b401f8fcd6ae2582cc4bda5c8281b977e3f427623529dfd33ad83b11d",
    840249,
  ),
  faithfulGsm8k_code002: faithful(
    "output_dir/GSM8K/test/code002_COT/predictions.jsonl",
    "e97b947be79b947c9793c4a7ad96d6cfc205068dea9727797f34553ee71eea1b",
    900659,
  ),
  faithfulGsm8k_text002: faithful(
    "output_dir/GSM8K/test/text002_COT/predictions.jsonl",
    "0f95e20140499da631f25ef8cd83823cd956594c61852a45c662d4539522abf1",
    868884,
  ),
  faithfulGsm8k_text003: faithful(
    "output_dir/GSM8K/test/text003_COT/predictions.jsonl",
    "397981ecbd6e0715e48b08a586a530debd9e2f7f761aefab96fd81143c0ffb66",
    813608,
  ),
  "faithfulGsm8k_gpt-3.5-turbo": faithful(
    "output_dir/GSM8K/test/gpt-3.5-turbo_COT/predictions.jsonl",
    "392b7331420a428e8a2a4ff0e0047cc2cbc37830d95078f9cc59603df80f9090",
    1007617,
  ),
  faithfulGsm8k_gpt4: faithful(
    "output_dir/GSM8K/test/gpt4_COT/predictions.jsonl",
    "118c8aaa2a2e886d46cfa65d02a486f5bbd4be9fd2c52e5c0c5bb06f2adbdee4",
    1097364,
  ),
  faithfulSvampTest: faithful(
    "data/SVAMP/test.jsonl",
    "bd0f1ee44a26f5d28c74c4a221289ab62258b341a3daa3b506883edf6243fb22",
    211686,
  ),
  faithfulSvamp_code001: faithful(
    "output_dir/SVAMP/test/code001_COT/predictions.jsonl",
    "aca877cc14d15ac071fbf603b076655e9046a4242bf04cebbf4ef44ec00cffb1",
    427137,
  ),
  faithfulSvamp_code002: faithful(
    "output_dir/SVAMP/test/code002_COT/predictions.jsonl",
    "986cf82b913f53c72ae96595445fb97aef54110caa822f183673b6933951658b",
    449253,
  ),
  faithfulSvamp_text002: faithful(
    "output_dir/SVAMP/test/text002_COT/predictions.jsonl",
    "84250da49832d1d14b0b0fdc213a6e42c1509a2f35cac03917a81366c9b0b24c",
    429088,
  ),
  faithfulSvamp_text003: faithful(
    "output_dir/SVAMP/test/text003_COT/predictions.jsonl",
    "2d7fbaf2dc8a120a07377b8d854c604b5213e3b41917b3615ed4f66369caf105",
    439558,
  ),
  "faithfulSvamp_gpt-3.5-turbo": faithful(
    "output_dir/SVAMP/test/gpt-3.5-turbo_COT/predictions.jsonl",
    "cbf79e9dc59c8330fd3c13ca4e7b6317701bacc30e80e37a77fb7a67ded29210",
    540267,
  ),
  faithfulSvamp_gpt4: faithful(
    "output_dir/SVAMP/test/gpt4_COT/predictions.jsonl",
    "de3c132a5435ae21872281c4e0747820611c1301a135b2fc82025a17868aa41d",
    483901,
  ),
  gsm8kTest: {
    repo: GRADE_SCHOOL_MATH,
    commit: GRADE_SCHOOL_MATH_COMMIT,
    path: "grade_school_math/data/test.jsonl",
    sha256: "3730d312f6e3440559ace48831e51066acaca737f6eabec99bccb9e4b3c39d14",
    bytes: 749738,
    license: "MIT",
  },
  gsm8kExampleSolutions: {
    repo: GRADE_SCHOOL_MATH,
    commit: GRADE_SCHOOL_MATH_COMMIT,
    path: "grade_school_math/data/example_model_solutions.jsonl",
    sha256: "4bc62db838f8418365d51c627bd66294cbdca9fb7f01519cb13f0dce8c51580b",
    bytes: 2563513,
    license: "MIT",
  },
  rereadingGsm8k: {
    repo: REREADING,
    commit: REREADING_COMMIT,
    path: "results/gsm_topp1.0_temp0.0_majority1_20230828_1157.jsonl",
    sha256: "d751b4000ebbb9b28ef8547e88b2f3d4f8722281d2245d64722f756c763f3cae",
    bytes: 2254345,
    license: "Apache-2.0",
  },
  svampJson: {
    repo: SVAMP,
    commit: SVAMP_COMMIT,
    path: "SVAMP.json",
    sha256: "5be77703a6d891ae476d7c082787ad361392aa02453b132516cdd5f4e7934e3e",
    bytes: 339970,
    license: "MIT",
  },
  game24NaiveCot: {
    repo: TREE_OF_THOUGHT,
    commit: TREE_OF_THOUGHT_COMMIT,
    path: "logs/game24/gpt-4_0.7_naive_cot_sample_100_start900_end1000.json",
    sha256: "fd2850ed9f9265129d9dca1d9de306e2026bdf0e367668eb99146e64922d6824",
    bytes: 1385874,
    license: "MIT",
  },
  game24TreeSearch: {
    repo: TREE_OF_THOUGHT,
    commit: TREE_OF_THOUGHT_COMMIT,
    path: "logs/game24/gpt-4_0.7_propose1_value3_greedy5_start900_end1000.json",
    sha256: "e08f019024c99e83e540f8feec99acf619f30b0cf047278a03f62ff45888571b",
    bytes: 1558836,
    license: "MIT",
  },
  game24Puzzles: {
    repo: TREE_OF_THOUGHT,
    commit: TREE_OF_THOUGHT_COMMIT,
    path: "src/tot/data/24/24.csv",
    sha256: "b9f12b3e36d987a3c714c4cef17d89a137d7c59da26532fcfb93b4821d8111b5",
    bytes: 48235,
    license: "MIT",
  },
  dateNaturalProgram: {
    repo: VERIFY_COT,
    commit: VERIFY_COT_COMMIT,
    path: "results/chatgpt3.5/natural_program/date_np.json",
    sha256: "d30b882e21d11ec338748c78f968b115ba0e85b2375073a22a4be76b9edf120e",
    bytes: 3996714,
    license: "CC-BY-4.0",
  },
  scConfGsm8kEasy: scConf(
    "data/Evaluation_CoTs/gpt-4/GSM8K_easy.csv",
    "1d92ad407bcd4918fc668a5f3f1e922a5347085518fd3756e7b0ece1eb62bbf9",
    1905959,
  ),
  scConfMathQaEasy: scConf(
    "data/Evaluation_CoTs/gpt-4/MathQA_easy.csv",
    "7385fedf6043452c4bb3919b88fe2ffdb553bee1dbac03aad4a652d93e35bf17",
    2333667,
  ),
  scConfPenguinsSeed1: scConf(
    "data/adaptive_consistency_outputs/vicuna-13b/penguins/penguins_seed1.jsonl",
    "c8da7d541d25a02641fba08a77ccc8c44018400f86865159a389f8304d33f4be",
    2518378,
  ),
  scConfPenguinsSeed2: scConf(
    "data/adaptive_consistency_outputs/vicuna-13b/penguins/penguins_seed2.jsonl",
    "835c467b4c9dd033dc0ba8dd5b727f994e6f08f9ba725193d33fd205afe28fe4",
    2527405,
  ),
  scConfPenguinsSeed3: scConf(
    "data/adaptive_consistency_outputs/vicuna-13b/penguins/penguins_seed3.jsonl",
    "e347c446acb4c0a30eaa92887f410f9961d2ff23e57a96e2a90ce8080b65dea9",
    2530432,
  ),
  qwenGsm8kHard: {
    repo: LLM_REASONING,
    commit: LLM_REASONING_COMMIT,
    path:
      "results/analysis/difficulty/evaluation_results-Qwen2.5-7B-Instruct-self_consistency_generate-2025-01-08-04-39-difficult-top100.json",
    sha256: "4ba68c44c960a03aa21a233686eaa93a0071352fb10a5899f07d04675f666470",
    bytes: 2246386,
    license: NO_LICENSE,
  },
} as const satisfies Record<string, DataSource>;

/** The stable name of a pinned public file. */
export type DataSourceName = keyof typeof DATA_SOURCES;

/** The Faithful-COT predictions file of one model on one dataset. */
export function faithfulCotPredictions(dataset: "gsm8k" | "svamp", model: FaithfulCotModel): DataSource {
  return dataset === "gsm8k"
    ? DATA_SOURCES[`faithfulGsm8k_${model}`]
    : DATA_SOURCES[`faithfulSvamp_${model}`];
}

/** The public raw address of a source, optionally under another base URL (for tests and proxies). */
export function sourceUrl(source: DataSource, baseUrl = "https://raw.githubusercontent.com/"): string {
  const base = baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`;
  const encodedPath = source.path.split("/").map(encodeURIComponent).join("/");
  return `${base}${source.repo}/${source.commit}/${encodedPath}`;
}
