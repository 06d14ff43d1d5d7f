import {customGrad, GradSaveFunc, Tensor, zeros} from '@tensorflow/tfjs-core';

/** `x` with a zero gradient (TensorFlow's `stop_gradient`). */
export function stopGradient(x: Tensor): Tensor {
  return customGrad((...args: Array<Tensor|GradSaveFunc>) => ({
    value: (args[0] as Tensor).clone(),
    gradFunc: () => zeros(x.shape),
  }))(x);
}
