// A user's ES module app on tfjs-core, its GPU backends and tfjs-converter,
// running graph models: the `/converter` entry, imported for its side
// effects. The app hands the checks (bundlers.test.ts) what they use of
// tfjs, imported by name.
import {backend, getBackend, getKernel, grad, io, losses, setBackend, sum, tensor1d, tensor2d, Tensor} from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
// tfjs-core alone registers no gradients.
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import {loadGraphModel} from '@tensorflow/tfjs-converter';
import '@tensorflow/tfjs-backend-webgpu';
import 'tfjs-sparse-softmax-cross-entropy/converter';

window.bundledApp = {
  tf: {backend, getBackend, getKernel, grad, io, loadGraphModel, losses, setBackend, sum, tensor1d, tensor2d, Tensor},
  named: {}, graphModels: true};
