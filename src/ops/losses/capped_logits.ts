import {customGrad, GradSaveFunc, mul, scalar, square, sub, tanh, Tensor} from '@tensorflow/tfjs-core';

/**
 * `softcap * tanh(logits / softcap)` from tfjs ops (Gemma 2's soft-capping),
 * or `logits` without a cap: the path of a recorded gradient, and label
 * smoothing's row mean. Differentiable to every order: its gradient,
 * `1 - (capped / softcap)^2`, is built from this op again, where tfjs's
 * `tanh` gradient reads its saved output, which a second gradient does not
 * see through.
 */
export function cappedLogits(logits: Tensor, softcap?: number): Tensor {
  if (softcap == null) {
    return logits;
  }
  return customGrad((...args: Array<Tensor|GradSaveFunc>) => {
    const x = args[0] as Tensor;
    (args[1] as GradSaveFunc)([x]);
    return {
      value: mul(tanh(mul(x, scalar(1 / softcap))), scalar(softcap)),
      gradFunc: (dy: Tensor, [x]: Tensor[]) => mul(dy, sub(scalar(1),
          square(mul(cappedLogits(x, softcap), scalar(1 / softcap))))),
    };
  })(logits);
}
