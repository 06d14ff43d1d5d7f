// The bundle-weight baseline: a small WebGL app on tfjs-core, without the
// package. weight_package.mjs is the same app with it.
import {getBackend, setBackend, softmax, tensor2d} from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';

setBackend('webgl').then(() => {
  const logits = tensor2d([[1, 2, 3], [3, 2, 1]]);
  softmax(logits).print();
  console.log(getBackend());
});
