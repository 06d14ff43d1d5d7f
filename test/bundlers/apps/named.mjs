// A user's ES module app: tfjs, its WebGPU backend, and the package's
// exports imported by name. The app hands the checks (bundlers.test.ts) what
// they use of tfjs, imported by name.
import {backend, getBackend, getKernel, grad, io, loadGraphModel, losses, setBackend, sum, tensor1d, tensor2d, Tensor} from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import {linearSparseSoftmaxCrossEntropy, sparseSoftmaxCrossEntropy, sparseSoftmaxCrossEntropyWithLogits} from 'tfjs-sparse-softmax-cross-entropy';

window.bundledApp = {
  tf: {backend, getBackend, getKernel, grad, io, loadGraphModel, losses, setBackend, sum, tensor1d, tensor2d, Tensor},
  named: {
    sparseSoftmaxCrossEntropyWithLogits,
    sparseSoftmaxCrossEntropy,
    linearSparseSoftmaxCrossEntropy,
  },
};
