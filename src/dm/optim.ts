/**
 * Adam with lazy (sparse) updates: only the parameters whose gradient was touched in a
 * mini-batch are updated at that step, like PyTorch's SparseAdam. With hashed sparse features
 * most first-layer rows are untouched in any one batch, so this keeps a step cheap. The bias
 * correction uses the global step count. L2 regularisation is added to the gradient of each
 * parameter that is updated.
 */
export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  l2?: number;
}

/** First and second moment estimates of one parameter tensor. */
export class AdamSlot {
  readonly m: Float32Array;
  readonly v: Float32Array;

  constructor(size: number) {
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }
}

export class LazyAdam {
  readonly learningRate: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly l2: number;
  private t = 0;
  private stepSize = 0;

  constructor(options: AdamOptions) {
    this.learningRate = options.learningRate;
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.l2 = options.l2 ?? 0;
  }

  /** Starts a step: advances the step count and the bias-corrected step size. */
  begin(): void {
    this.t++;
    this.stepSize =
      (this.learningRate * Math.sqrt(1 - Math.pow(this.beta2, this.t))) / (1 - Math.pow(this.beta1, this.t));
  }

  /**
   * Updates `params[from..to)` from `grads[from..to)` and zeroes those gradients.
   * `decay` says whether L2 applies (weights: yes, biases: no).
   */
  update(params: Float32Array, grads: Float32Array, slot: AdamSlot, from: number, to: number, decay: boolean): void {
    const { m, v } = slot;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const eps = this.epsilon;
    const l2 = decay ? this.l2 : 0;
    const step = this.stepSize;
    for (let i = from; i < to; i++) {
      const p = params[i] as number;
      const g = (grads[i] as number) + l2 * p;
      const mi = b1 * (m[i] as number) + (1 - b1) * g;
      const vi = b2 * (v[i] as number) + (1 - b2) * g * g;
      m[i] = mi;
      v[i] = vi;
      params[i] = p - (step * mi) / (Math.sqrt(vi) + eps);
      grads[i] = 0;
    }
  }
}
