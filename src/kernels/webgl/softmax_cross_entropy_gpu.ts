import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

/*
 * The programs that finish a row once its reductions are done: one
 * invocation per output element, no loops. Inputs `rowMaxes`, `logSumExps`
 * and `backpropDots` are `[batch, 1]` results of `row_reduce.ts`; `labels`
 * is int32 `[batch]`, read with `round` since textures hold floats. Shapes
 * and `numClasses` are uniforms (see `row_reduce_gpu.ts`).
 */

const CLASS_UNIFORMS: GPGPUProgram['customUniforms'] = [
  {name: 'numClasses', type: 'int'},
];

/**
 * GLSL: whether row `row` gets real values. A label outside
 * `[0, numClasses)` makes the whole row NaN, as TensorFlow's GPU kernel
 * does. A non-finite `rowMax` means a NaN logit, a `+Infinity` logit or an
 * all `-Infinity` row, for which TF's arithmetic (`inf - inf`, `0 / 0`) also
 * gives NaN; checking it here keeps that independent of how a driver
 * evaluates those expressions.
 */
const IS_VALID_ROW = `
  bool isValidRow(int label, float rowMax) {
    return label >= 0 && label < numClasses && !isnan(rowMax) &&
        !isinf(rowMax);
  }
`;

/** `loss = logSumExp - (x_label - rowMax)`, shape `[batch]`. */
export class SoftmaxCrossEntropyLossProgram implements GPGPUProgram {
  variableNames = ['features', 'labels', 'rowMaxes', 'logSumExps'];
  outputShape: number[];
  userCode: string;
  enableShapeUniforms = true;
  customUniforms = CLASS_UNIFORMS;

  constructor(batch: number) {
    this.outputShape = [batch];
    this.userCode = `
      ${IS_VALID_ROW}

      void main() {
        int row = getOutputCoords();
        int label = round(getLabels(row));
        float rowMax = getRowMaxes(row, 0);
        if (!isValidRow(label, rowMax)) {
          setOutput(NAN);
          return;
        }
        float logSumExp = getLogSumExps(row, 0);
        setOutput(logSumExp - (getFeatures(row, label) - rowMax));
      }
    `;
  }
}

/**
 * `backprop = exp(x - rowMax - logSumExp) - onehot(label)` (softmax minus
 * one-hot), shape `[batch, numClasses]`. With `isLossGradient` it writes the
 * loss-only kernel's gradient instead,
 * `(dLoss + dLogSumExp) * softmax - dLoss * onehot(label)`, rebuilding the
 * softmax from the logits rather than reading a saved `backprop`.
 */
export class SoftmaxCrossEntropyBackpropProgram implements GPGPUProgram {
  variableNames: string[];
  outputShape: number[];
  userCode: string;
  enableShapeUniforms = true;
  customUniforms = CLASS_UNIFORMS;

  constructor(batch: number, numClasses: number, isLossGradient = false) {
    this.variableNames = ['features', 'labels', 'rowMaxes', 'logSumExps'];
    if (isLossGradient) {
      this.variableNames.push('dLoss', 'dLogSumExps');
    }
    this.outputShape = [batch, numClasses];
    const rowScales = isLossGradient ? `
        float oneHotScale = getDLoss(row);
        float probabilityScale = oneHotScale + getDLogSumExps(row, 0);` : `
        float oneHotScale = 1.0;
        float probabilityScale = 1.0;`;
    this.userCode = `
      ${IS_VALID_ROW}

      void main() {
        ivec2 coords = getOutputCoords();
        int row = coords[0];
        int label = round(getLabels(row));
        float rowMax = getRowMaxes(row, 0);
        if (!isValidRow(label, rowMax)) {
          setOutput(NAN);
          return;
        }
        float logSumExp = getLogSumExps(row, 0);
        float probability =
            exp(getFeaturesAtOutCoords() - rowMax - logSumExp);
        ${rowScales}
        float scaled = probabilityScale * probability;
        setOutput(coords[1] == label ? scaled - oneHotScale : scaled);
      }
    `;
  }
}

/**
 * The first-order gradient with respect to the features, shape
 * `[batch, numClasses]`:
 *
 *   rowDot    = sum_j dBackprop_j * backprop_j + dBackprop_label
 *             (= sum_j dBackprop_j * p_j, with p = backprop + onehot(label))
 *   dFeatures = backprop * (dLoss + dBackprop - rowDot)
 *             + onehot(label) * (dBackprop_label - rowDot)
 *
 * `backpropDots` holds the first sum. A label outside `[0, numClasses)`
 * gives a NaN row, matching the forward kernel.
 */
export class SoftmaxCrossEntropyGradProgram implements GPGPUProgram {
  variableNames = ['backprop', 'labels', 'dLoss', 'dBackprop', 'backpropDots'];
  outputShape: number[];
  userCode: string;
  enableShapeUniforms = true;
  customUniforms = CLASS_UNIFORMS;

  constructor(batch: number, numClasses: number) {
    this.outputShape = [batch, numClasses];
    this.userCode = `
      void main() {
        ivec2 coords = getOutputCoords();
        int row = coords[0];
        int label = round(getLabels(row));
        if (label < 0 || label >= numClasses) {
          setOutput(NAN);
          return;
        }
        float dBackpropAtLabel = getDBackprop(row, label);
        float rowDot = getBackpropDots(row, 0) + dBackpropAtLabel;
        float dFeatures = getBackpropAtOutCoords() *
            (getDLoss(row) + getDBackpropAtOutCoords() - rowDot);
        if (coords[1] == label) {
          dFeatures += dBackpropAtLabel - rowDot;
        }
        setOutput(dFeatures);
      }
    `;
  }
}

/**
 * The gradient when `dBackprop` is all zeros (an unused `backprop` output):
 * `dFeatures = dLoss * backprop`, shape `[batch, numClasses]`. A bad label's
 * row is already NaN in `backprop`.
 */
export class SoftmaxCrossEntropyLossGradProgram implements GPGPUProgram {
  variableNames = ['backprop', 'dLoss'];
  outputShape: number[];
  userCode: string;
  enableShapeUniforms = true;

  constructor(batch: number, numClasses: number) {
    this.outputShape = [batch, numClasses];
    this.userCode = `
      void main() {
        ivec2 coords = getOutputCoords();
        setOutput(getDLoss(coords[0]) * getBackpropAtOutCoords());
      }
    `;
  }
}
