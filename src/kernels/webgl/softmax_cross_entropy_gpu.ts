import type {GPGPUProgram} from '@tensorflow/tfjs-backend-webgl';

import {ROW_TERMS} from '../gpu_row_terms.js';
import {cappedLogit, softcapRatio, softcapReciprocal, softcapSlope} from '../gpu_softcap.js';

import {softcapGlsl, withSoftcapUniform} from './row_reduce_gpu.js';
import {ROW_PAIR_AND_COLUMN, rowTexel, TexelLayout} from './texel_layout.js';

/*
 * The programs that finish a row once its reductions are done: no loops.
 * Inputs `rowMaxes`, `logSumExps` and `backpropDots` are `[batch, 1]`
 * results of `row_reduce.ts`; `labels` are int32, read as a `[batch, 1]`
 * column with `round` since textures hold floats. Shapes and `numClasses`
 * are uniforms (see `row_reduce_gpu.ts`).
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

/**
 * GLSL reading inputs of both layouts: with `packedInputs` every input is a
 * packed texture and a getter returns the 2x2 block holding the element.
 * Labels and per-row values are read as `[batch, 1]` columns.
 */
class InputReader {
  constructor(private readonly packedInputs: boolean) {}

  /** GLSL: the element (row, col) of `name`, a float. */
  at(name: string, row: string, col: string): string {
    const get = `get${name}(${row}, ${col})`;
    return this.packedInputs ? `blockElement(${get}, ${row}, ${col})` : get;
  }

  /** GLSL: the 2x2 block of `name` from (row, col), a vec4 by rows. */
  block(name: string, col = 'col'): string {
    return this.packedInputs ? `get${name}(row, ${col})` :
                               `vec4(get${name}(row, ${col}),
                                     get${name}(row, ${col} + 1),
                                     get${name}(row + 1, ${col}),
                                     get${name}(row + 1, ${col} + 1))`;
  }

  /** GLSL helpers the expressions above use. */
  helpers(): string {
    return this.packedInputs ? `
      float blockElement(vec4 block, int row, int col) {
        vec2 rowValues = imod(row, 2) == 0 ? block.xy : block.zw;
        return imod(col, 2) == 0 ? rowValues.x : rowValues.y;
      }` :
                               '';
  }
}

/**
 * `loss = logSumExp - (x_label - rowMax)`, shape `[batch]`; `packedInputs`
 * reads packed logits (see `InputReader`) without unpacking them whole;
 * `capped` reads `x_label` capped (uniform `softcap`, `gpu_softcap.ts`).
 */
export class SoftmaxCrossEntropyLossProgram implements GPGPUProgram {
  variableNames = ['features', 'labels', 'rowMaxes', 'logSumExps'];
  outputShape: number[];
  userCode: string;
  packedInputs: boolean;
  enableShapeUniforms = true;
  customUniforms: GPGPUProgram['customUniforms'];

  constructor(batch: number, packedInputs: boolean, capped = false) {
    this.outputShape = [batch];
    this.packedInputs = packedInputs;
    this.customUniforms = withSoftcapUniform(CLASS_UNIFORMS, capped);
    const read = new InputReader(packedInputs);
    const [softcapped, readLogit] = softcapGlsl(capped, ['float']);
    this.userCode = `
      ${IS_VALID_ROW}
      ${read.helpers()}${softcapped}

      void main() {
        int row = getOutputCoords();
        int label = round(${read.at('Labels', 'row', '0')});
        float rowMax = ${read.at('RowMaxes', 'row', '0')};
        if (!isValidRow(label, rowMax)) {
          setOutput(NAN);
          return;
        }
        float logSumExp = ${read.at('LogSumExps', 'row', '0')};
        float logit = ${readLogit(read.at('Features', 'row', 'label'))};
        setOutput(logSumExp - (logit - rowMax));
      }
    `;
  }
}

/**
 * The packed output of the programs below: one invocation writes a 2x2
 * block as a vec4 by rows (xy the upper row, zw the lower), reading each
 * row's values once for two logits, and SwiftShader runs a quarter of the
 * invocations. Reads past the last row or column only feed texel lanes that
 * are not part of the tensor.
 */

/**
 * What `ScaledSoftmaxMinusOneHotProgram` needs per row, gathered into one
 * `[batch, 4]` tensor:
 * `(rowMax, probabilityScale * exp(-logSumExp), label, oneHotScale)`, the
 * label -1 for a row that must be NaN (see `isValidRow`). The scales are
 * `dLoss + dLogSumExp` and `dLoss` with `hasUpstream` (the loss gradient),
 * else 1 (`backprop`); `exp(-logSumExp)` is the row's `1 / sum exp(x -
 * rowMax)`, so the elementwise program computes `exp(x - rowMax)` times one
 * factor, as TensorFlow's kernel divides by the sum. It then reads two
 * texels of one small texture per 2x2 block instead of three to five
 * inputs, which on SwiftShader halves its cost. Packed in and out with
 * `packedInputs`, to match that program.
 */
export class RowTermsProgram implements GPGPUProgram {
  variableNames = ['labels', 'rowMaxes', 'logSumExps'];
  outputShape: number[];
  userCode: string;
  packedInputs: boolean;
  packedOutput: boolean;
  enableShapeUniforms = true;
  customUniforms = CLASS_UNIFORMS;

  constructor(batch: number, packedInputs: boolean, hasUpstream: boolean) {
    this.outputShape = [batch, ROW_TERMS];
    this.packedInputs = packedInputs;
    this.packedOutput = packedInputs;
    if (hasUpstream) {
      this.variableNames.push('dLoss', 'dLogSumExps');
    }
    const read = new InputReader(packedInputs);
    const [oneHotScale, probabilityScale] = hasUpstream ?
        [read.at('DLoss', 'row', '0'),
          `oneHotScale + ${read.at('DLogSumExps', 'row', '0')}`] :
        ['1.0', '1.0'];
    this.userCode = `
      ${IS_VALID_ROW}
      ${read.helpers()}

      // The two terms of row \`row\` from column \`col\` (even).
      vec2 rowTerms(int row, int col) {
        int label = round(${read.at('Labels', 'row', '0')});
        float rowMax = ${read.at('RowMaxes', 'row', '0')};
        float oneHotScale = ${oneHotScale};
        if (col == 0) {
          float logSumExp = ${read.at('LogSumExps', 'row', '0')};
          return vec2(rowMax, (${probabilityScale}) * exp(-logSumExp));
        }
        return vec2(isValidRow(label, rowMax) ? float(label) : -1.0,
                    oneHotScale);
      }

      void main() {
        ivec2 coords = getOutputCoords();
        int row = coords[0];
        int col = coords[1];
        ${packedInputs ? `
        setOutput(vec4(rowTerms(row, col), rowTerms(row + 1, col)));` : `
        vec2 terms = rowTerms(row, col - imod(col, 2));
        setOutput(imod(col, 2) == 0 ? terms.x : terms.y);`}
      }
    `;
  }
}

/**
 * `probabilityScale[row] * softmax - oneHotScale[row] * onehot(label)`,
 * shape `[batch, numClasses]`, packed (see above), from the logits and
 * `RowTermsProgram`'s `rowTerms`, the softmax rebuilt as
 * `exp(x - rowMax) / sumExp`: `backprop` with scales 1, the loss-only
 * gradient `(dLoss + dLogSumExp) * softmax - dLoss * onehot` otherwise.
 * `capped`: the softmax of the capped logits, times the cap's slope
 * (uniform `softcap`, `gpu_softcap.ts`).
 */
export class ScaledSoftmaxMinusOneHotProgram implements GPGPUProgram {
  variableNames = ['features', 'rowTerms'];
  outputShape: number[];
  userCode: string;
  packedInputs: boolean;
  packedOutput = true;
  enableShapeUniforms = true;

  customUniforms: GPGPUProgram['customUniforms'];

  /**
   * `layout` (`texel_layout.ts`): with `blockGrid` or `sameTexels` the logits
   * and `rowTerms` are packed whatever `packedInputs` says.
   */
  constructor(batch: number, numClasses: number, packedInputs: boolean,
              layout: TexelLayout = 'coordinates', capped = false) {
    this.outputShape = [batch, numClasses];
    this.customUniforms = withSoftcapUniform(undefined, capped);
    this.packedInputs = packedInputs || layout !== 'coordinates';
    const read = new InputReader(packedInputs);
    const [coordinates, rowTerm, logits] = layout === 'coordinates' ?
        [`ivec2 coords = getOutputCoords();
        int row = coords[0];
        int col = coords[1];`,
          (column: number) => read.block('RowTerms', `${column}`),
          read.block('Features')] :
        [layout === 'blockGrid' ? 'int col = 2 * int(gl_FragCoord.x);' :
                                  ROW_PAIR_AND_COLUMN,
          (column: number) =>
              rowTexel('rowTerms', column / 2, ROW_TERMS / 2, layout),
          'texture(features, resultUV)'];
    const [capping, readLogits, slope] = capped ? [`
        vec4 logits = ${logits};
        vec4 e = ${softcapRatio('logits', 'softcap')};
        vec4 r = ${softcapReciprocal('e')};`,
      `(${cappedLogit('logits', 'r', 'softcap')})`,
      `) * (${softcapSlope('e', 'r')})`] : ['', logits, ''];
    this.userCode = `
      void main() {
        ${coordinates}
        // By rows: (rowMax, probabilityScale / sumExp), (label, oneHotScale).
        vec4 shiftsAndScales = ${rowTerm(0)};
        vec4 labelsAndScales = ${rowTerm(2)};
        ivec2 labels =
            ivec2(round(labelsAndScales.x), round(labelsAndScales.z));${capping}
        vec4 scaled = ${slope ? '(' : ''}exp(${readLogits} - shiftsAndScales.xxzz) *
                shiftsAndScales.yyww -
            labelsAndScales.yyww *
                vec4(equal(ivec4(col, col + 1, col, col + 1), labels.xxyy))${slope};
        setOutput(vec4(labels.x >= 0 ? scaled.xy : vec2(NAN),
                       labels.y >= 0 ? scaled.zw : vec2(NAN)));
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
 * `rowScales[row] * values`, shape `[batch, numClasses]`: the gradient
 * `dLoss[:, None] * backprop` when `dBackprop` is absent or zero. A bad
 * label's row is already NaN in `backprop`. Packed in and out, as the
 * forward writes `backprop`; `rowScales` is a `[batch, 1]` column, read in
 * `layout` (`texel_layout.ts`).
 */
export class ScaleRowsProgram implements GPGPUProgram {
  variableNames = ['values', 'rowScales'];
  outputShape: number[];
  userCode: string;
  packedInputs = true;
  packedOutput = true;
  enableShapeUniforms = true;

  constructor(batch: number, numClasses: number, layout: TexelLayout) {
    this.outputShape = [batch, numClasses];
    this.userCode = layout === 'coordinates' ? `
      void main() {
        ivec2 coords = getOutputCoords();
        setOutput(getRowScales(coords[0], 0).xxzz * getValuesAtOutCoords());
      }
    ` : `
      void main() {
        ${layout === 'sameTexels' ? ROW_PAIR_AND_COLUMN : ''}
        setOutput(${rowTexel('rowScales', 0, 1, layout)}.xxzz *
                  texture(values, resultUV));
      }
    `;
  }
}

/**
 * `rowValues` `[batch]` (any layout) as a packed `[batch, 1]` column, a block
 * grid when `batch / 2` fits the texture size limit.
 */
export class PackedColumnProgram implements GPGPUProgram {
  variableNames = ['rowValues'];
  outputShape: number[];
  userCode: string;
  packedOutput = true;
  enableShapeUniforms = true;

  constructor(batch: number) {
    this.outputShape = [batch, 1];
    this.userCode = `
      void main() {
        int row = getOutputCoords()[0];
        setOutput(vec4(getRowValues(row), 0.0, getRowValues(row + 1), 0.0));
      }
    `;
  }
}
