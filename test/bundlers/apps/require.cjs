// A user's CommonJS app: the package and its `/converter` entry required
// (the route for graph models in a bundle).
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-webgpu');
const {sparseSoftmaxCrossEntropyWithLogits, sparseSoftmaxCrossEntropy} =
    require('tfjs-sparse-softmax-cross-entropy');
require('tfjs-sparse-softmax-cross-entropy/converter');

window.bundledApp = {
  tf,
  named: {sparseSoftmaxCrossEntropyWithLogits, sparseSoftmaxCrossEntropy},
  graphModels: true,
};
