/**
 * A small sparse logistic regression: bias kept at prediction, L2 pulling each weight towards a prior
 * (0, or the weight that reproduces the keyword model), full-batch Adam. Deterministic: no shuffling.
 */

/** One example: feature indices and values (same length). */
export interface SparseRow {
  readonly idx: readonly number[];
  readonly val: readonly number[];
}

export interface LogisticOptions {
  readonly iterations: number;
  readonly learningRate: number;
  /** L2 strength (on the mean loss). */
  readonly l2: number;
  /** Weights start at and are pulled towards these (length = feature count); index −1 is the bias. */
  readonly priorWeights?: Float64Array;
  readonly priorBias?: number;
  /** Per-example weights (e.g. balanced classes); default 1. */
  readonly sampleWeights?: readonly number[];
}

export interface LogisticFit {
  readonly bias: number;
  readonly weights: Float64Array;
}

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Fits P(y=1 | x) = σ(bias + w·x) on rows x with labels y (0/1). */
export function fitLogistic(rows: readonly SparseRow[], y: readonly number[], featureCount: number, options: LogisticOptions): LogisticFit {
  const prior = options.priorWeights ?? new Float64Array(featureCount);
  const priorBias = options.priorBias ?? 0;
  const w = Float64Array.from(prior);
  let b = priorBias;
  const m = new Float64Array(featureCount);
  const v = new Float64Array(featureCount);
  let mb = 0;
  let vb = 0;
  const grad = new Float64Array(featureCount);
  const n = rows.length;
  const sw = options.sampleWeights;
  let totalWeight = 0;
  for (let i = 0; i < n; i++) totalWeight += sw?.[i] ?? 1;
  if (totalWeight === 0) return { bias: b, weights: w };
  const beta1 = 0.9;
  const beta2 = 0.999;
  const eps = 1e-8;
  for (let t = 1; t <= options.iterations; t++) {
    grad.fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      const row = rows[i] as SparseRow;
      let z = b;
      for (let k = 0; k < row.idx.length; k++) z += (w[row.idx[k] as number] as number) * (row.val[k] as number);
      const err = ((sigmoid(z) - (y[i] as number)) * (sw?.[i] ?? 1)) / totalWeight;
      gb += err;
      for (let k = 0; k < row.idx.length; k++) {
        const j = row.idx[k] as number;
        grad[j] = (grad[j] as number) + err * (row.val[k] as number);
      }
    }
    const lr = options.learningRate;
    const c1 = 1 - Math.pow(beta1, t);
    const c2 = 1 - Math.pow(beta2, t);
    for (let j = 0; j < featureCount; j++) {
      const g = (grad[j] as number) + options.l2 * ((w[j] as number) - (prior[j] as number));
      const mj = beta1 * (m[j] as number) + (1 - beta1) * g;
      const vj = beta2 * (v[j] as number) + (1 - beta2) * g * g;
      m[j] = mj;
      v[j] = vj;
      w[j] = (w[j] as number) - (lr * (mj / c1)) / (Math.sqrt(vj / c2) + eps);
    }
    mb = beta1 * mb + (1 - beta1) * gb;
    vb = beta2 * vb + (1 - beta2) * gb * gb;
    b -= (lr * (mb / c1)) / (Math.sqrt(vb / c2) + eps);
  }
  return { bias: b, weights: w };
}
