// A user's ES module app on tfjs-core and its GPU backends that imports the
// package for its side effects only, and reaches it through the chained
// method and tf.losses. The app hands the checks (bundlers.test.ts) what they
// use of tfjs, imported by name.
import {backend, getBackend, getKernel, grad, losses, setBackend, sum, tensor1d, tensor2d, Tensor} from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
// tfjs-core alone registers no gradients.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import '@tensorflow/tfjs-backend-webgpu';
import 'tfjs-sparse-softmax-cross-entropy';

window.bundledApp = {
  tf: {backend, getBackend, getKernel, grad, losses, setBackend, sum, tensor1d, tensor2d, Tensor},
  named: {}};
