/**
 * The training pipeline: collect → label → train → calibrate → export (src/pipeline/train.ts), the
 * out-of-fold calibration of the stopping policy (src/pipeline/calibrate.ts), the out-of-fold choice
 * of costly feature groups (src/pipeline/select-groups.ts) and bounded retries of a live model's
 * requests (src/pipeline/retry.ts). `drr collect`, `drr train` and `drr bench` use it.
 */
export * from "./train.js";
export * from "./calibrate.js";
export * from "./select-groups.js";
export * from "./retry.js";
