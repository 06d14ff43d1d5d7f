import {ROW_TERMS} from '../gpu_row_terms.js';
import {cappedLogit, softcapRatio, softcapReciprocal, softcapSlope} from '../gpu_softcap.js';

import {capLogits, forEachColumnOfLane, forEachLane, forEachRowOfThread, laneWorkgroups, LayoutProgram, RowLayout, rowWorkgroups} from './row_reduce_webgpu.js';

/*
 * The programs that finish rows once their reductions are done. Per-row
 * inputs (`labels`, `rowMaxes`, `logSumExps`, ...) are `[numRows]` or
 * `[numRows, 1]`, read flat; labels are int32. Every program takes the
 * uniforms of `row_reduce_webgpu.ts` (`LAYOUT_UNIFORMS`).
 */

/**
 * WGSL: whether row `row` gets real values. A label outside
 * `[0, numClasses)` makes the whole row NaN, as TensorFlow's GPU kernel
 * does. A non-finite `rowMax` means a NaN logit, a `+Infinity` logit or an
 * all `-Infinity` row, for which TF's arithmetic (`inf - inf`, `0 / 0`)
 * also gives NaN; checking it here keeps that independent of how a driver
 * evaluates those expressions.
 */
const IS_VALID_ROW = `
  fn isValidRow(label : i32, rowMax : f32) -> bool {
    return label >= 0 && label < uniforms.numClasses && !isnan(rowMax) &&
        !isinf(rowMax);
  }
`;

/** A program with one thread per row. */
abstract class RowProgram extends LayoutProgram {
  constructor(layout: RowLayout, outputShape: number[]) {
    super(layout, outputShape, rowWorkgroups(layout));
  }
}

/**
 * A program with one thread per lane (`forEachLane`), writing a
 * `[numRows, numClasses]` output element by element.
 */
abstract class ElementwiseProgram extends LayoutProgram {
  constructor(layout: RowLayout) {
    super(layout, [layout.numRows, layout.numClasses], laneWorkgroups(layout));
  }
}

/**
 * `loss = logSumExp - (x_label - rowMax)`, shape `[numRows]`; with
 * `softcap`, `x_label` read capped (`gpu_softcap.ts`).
 */
export class SoftmaxCrossEntropyLossProgram extends RowProgram {
  variableNames = ['features', 'labels', 'rowMaxes', 'logSumExps'];
  shaderKey = 'sparseXentLoss';
  private readonly softcapped: [string, (logit: string) => string];

  constructor(layout: RowLayout, softcap?: number) {
    super(layout, [layout.numRows]);
    this.softcapped = capLogits(this, softcap);
  }

  getUserCode(): string {
    const [softcapped, read] = this.softcapped;
    return `
      ${IS_VALID_ROW}${softcapped}

      fn main(index : i32) {
        ${forEachRowOfThread(`
          let label = labels[row];
          let rowMax = rowMaxes[row];
          if (isValidRow(label, rowMax)) {
            let logit = ${read('features[row * uniforms.numClasses + label]')};
            result[row] = logSumExps[row] - (logit - rowMax);
          } else {
            result[row] = uniforms.NAN;
          }`)}
      }
    `;
  }
}

/**
 * What `ScaledSoftmaxMinusOneHotProgram` needs per row, gathered into one
 * `[numRows, 4]` tensor:
 * `(rowMax, probabilityScale * exp(-logSumExp), label, oneHotScale)`, the
 * label -1 for a row that must be NaN (see `isValidRow`; labels are exact
 * as floats up to 2^24 classes). The scales are `dLoss + dLogSumExp` and
 * `dLoss` with `hasUpstream` (the loss gradient), else 1 (`backprop`);
 * `exp(-logSumExp)` is the row's `1 / sum exp(x - rowMax)`.
 */
export class RowTermsProgram extends RowProgram {
  variableNames = ['labels', 'rowMaxes', 'logSumExps'];
  shaderKey: string;
  private readonly hasUpstream: boolean;

  constructor(layout: RowLayout, hasUpstream: boolean) {
    super(layout, [layout.numRows, ROW_TERMS]);
    this.hasUpstream = hasUpstream;
    this.shaderKey = `sparseXentRowTerms${hasUpstream ? 'Upstream' : ''}`;
    if (hasUpstream) {
      this.variableNames.push('dLoss', 'dLogSumExps');
    }
  }

  getUserCode(): string {
    const [oneHotScale, probabilityScale] = this.hasUpstream ?
        ['dLoss[row]', 'dLoss[row] + dLogSumExps[row]'] : ['1.0', '1.0'];
    return `
      ${IS_VALID_ROW}

      fn main(index : i32) {
        ${forEachRowOfThread(`
          let label = labels[row];
          let rowMax = rowMaxes[row];
          let terms = ${ROW_TERMS} * row;
          result[terms] = rowMax;
          result[terms + 1] = (${probabilityScale}) * exp(-logSumExps[row]);
          result[terms + 2] = select(-1.0, f32(label), isValidRow(label, rowMax));
          result[terms + 3] = ${oneHotScale};`)}
      }
    `;
  }
}

/**
 * `probabilityScale[row] * softmax - oneHotScale[row] * onehot(label)`,
 * shape `[numRows, numClasses]`, from the logits and `RowTermsProgram`'s
 * `rowTerms`, the softmax rebuilt as `exp(x - rowMax) / sumExp`: `backprop`
 * with scales 1, the loss-only gradient
 * `(dLoss + dLogSumExp) * softmax - dLoss * onehot` otherwise.
 */
export class ScaledSoftmaxMinusOneHotProgram extends ElementwiseProgram {
  variableNames = ['features', 'rowTerms'];
  shaderKey = 'sparseXentScaledSoftmaxMinusOneHot';

  /**
   * With `softcap`: the softmax of the capped logits, and the result times
   * the cap's slope (`gpu_softcap.ts`).
   */
  constructor(layout: RowLayout, softcap?: number) {
    super(layout);
    capLogits(this, softcap);
  }

  getUserCode(): string {
    const softcap = 'uniforms.softcap';
    const [capping, logit, slope] = this.floatUniformValues != null ? [`
            let x = features[rowOffset + col];
            let e = ${softcapRatio('x', softcap)};
            let r = ${softcapReciprocal('e')};`,
      `(${cappedLogit('x', 'r', softcap)})`, ` * (${softcapSlope('e', 'r')})`] :
      ['', 'features[rowOffset + col]', ''];
    return `
      fn main(index : i32) {
        ${forEachLane(`
          let terms = ${ROW_TERMS} * row;
          let rowMax = rowTerms[terms];
          let probabilityScale = rowTerms[terms + 1];
          let label = i32(round(rowTerms[terms + 2]));
          let oneHotScale = rowTerms[terms + 3];
          ${forEachColumnOfLane(`${capping}
            let probability =
                probabilityScale * exp(${logit} - rowMax);
            let value = select(probability, probability - oneHotScale,
                               col == label)${slope};
            result[rowOffset + col] = select(value, uniforms.NAN, label < 0);`)}`)}
      }
    `;
  }
}

/**
 * The first-order gradient with respect to the features, shape
 * `[numRows, numClasses]`:
 *
 *   rowDot    = sum_j dBackprop_j * backprop_j + dBackprop_label
 *             (= sum_j dBackprop_j * p_j, with p = backprop + onehot(label))
 *   dFeatures = backprop * (dLoss + dBackprop - rowDot)
 *             + onehot(label) * (dBackprop_label - rowDot)
 *
 * `backpropDots` holds the first sum. A label outside `[0, numClasses)`
 * gives a NaN row, matching the forward kernel.
 */
export class SoftmaxCrossEntropyGradProgram extends ElementwiseProgram {
  variableNames = ['backprop', 'labels', 'dLoss', 'dBackprop', 'backpropDots'];
  shaderKey = 'sparseXentGrad';

  getUserCode(): string {
    return `
      fn main(index : i32) {
        ${forEachLane(`
          let label = labels[row];
          let validLabel = label >= 0 && label < uniforms.numClasses;
          let dBackpropAtLabel =
              dBackprop[rowOffset + clamp(label, 0, uniforms.numClasses - 1)];
          let rowDot = backpropDots[row] + dBackpropAtLabel;
          let rowScale = dLoss[row] - rowDot;
          ${forEachColumnOfLane(`
            let element = rowOffset + col;
            var dFeatures = backprop[element] * (rowScale + dBackprop[element]);
            if (col == label) {
              dFeatures += dBackpropAtLabel - rowDot;
            }
            result[element] = select(uniforms.NAN, dFeatures, validLabel);`)}`)}
      }
    `;
  }
}

/**
 * `rowScales[row] * values`, shape `[numRows, numClasses]`: the gradient
 * `dLoss[:, None] * backprop` when `dBackprop` is absent or zero. A bad
 * label's row is already NaN in `backprop`.
 */
export class ScaleRowsProgram extends ElementwiseProgram {
  variableNames = ['values', 'rowScales'];
  shaderKey = 'sparseXentScaleRows';

  getUserCode(): string {
    return `
      fn main(index : i32) {
        ${forEachLane(`
          let rowScale = rowScales[row];
          ${forEachColumnOfLane(`
            result[rowOffset + col] = rowScale * values[rowOffset + col];`)}`)}
      }
    `;
  }
}
