import {broadcastTo, cast, div, fill, losses, mul, notEqual, reshape, Reduction, scalar, sum, Tensor, where, zerosLike} from '@tensorflow/tfjs-core';

/**
 * The loss's reduction of per-example losses: examples that are not `kept`
 * (their label is `ignoreIndex`) get zero loss and count as zero weight,
 * then `tf.losses.computeWeightedLoss` weights and reduces. `kept` is bool
 * with the per-example loss's shape; `weights` broadcast to it.
 */
export function reducePerExample(
    perExample: Tensor, kept: Tensor|undefined, weights: Tensor|undefined,
    reduction: Reduction): Tensor {
  if (kept == null) {
    return losses.computeWeightedLoss(perExample, weights, reduction);
  }
  const keptWeights = weights == null ? cast(kept, 'float32') :
                                        mul(cast(kept, 'float32'), weights);
  return losses.computeWeightedLoss(
      withoutIgnored(kept, perExample), keptWeights, reduction);
}

/**
 * Which examples count (bool, labels' shape): those whose label is not
 * `ignoreIndex`; undefined without one.
 */
export function keptExamples(
    labels: Tensor, ignoreIndex: number|undefined): Tensor|undefined {
  return ignoreIndex == null ? undefined :
                               notEqual(labels, scalar(ignoreIndex, 'int32'));
}

/** `x` (the labels' shape) with 0 for the examples not `kept`. */
export function withoutIgnored(kept: Tensor|undefined, x: Tensor): Tensor {
  return kept == null ? x : where(kept, x, zerosLike(x));
}

/**
 * For a reduction to a scalar, `d loss / d perExample`, flattened to
 * `[numExamples]`: the reduction is linear in the per-example losses, so
 * this does not depend on them and can be known before they are computed.
 * Mirrors `tf.losses.computeWeightedLoss` term by term (see its source):
 * SUM weighs each example by its weight, MEAN divides by the sum of the
 * weights (times how far they broadcast), SUM_BY_NONZERO_WEIGHTS by the
 * count of nonzero broadcast weights, and without weights both means divide
 * by the number of examples.
 */
export function perExampleCoefficients(
    lossShape: number[], kept: Tensor|undefined, weights: Tensor|undefined,
    reduction: Reduction): Tensor {
  const numExamples = lossShape.reduce((product, size) => product * size, 1);
  const effective = kept == null ? weights :
      weights == null            ? cast(kept, 'float32') :
                                   mul(cast(kept, 'float32'), weights);
  if (effective == null) {
    return fill([numExamples],
        reduction === Reduction.SUM ? 1 : 1 / numExamples, 'float32');
  }
  const broadcast = reshape(broadcastTo(effective, lossShape), [numExamples]);
  switch (reduction) {
    case Reduction.SUM:
      return broadcast;
    case Reduction.MEAN: {
      const broadcastFactor = numExamples / effective.size;
      const divisor = broadcastFactor > 1 ?
          mul(sum(effective), scalar(broadcastFactor)) :
          sum(effective);
      return div(broadcast, divisor);
    }
    default:
      return div(broadcast,
          cast(sum(notEqual(broadcast, scalar(0))), 'float32'));
  }
}
