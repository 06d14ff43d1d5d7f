// weight_base.mjs plus the package's op, imported by name: the difference in
// size is what the package adds to a WebGL app.
import {getBackend, setBackend, softmax, tensor2d} from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import {sparseSoftmaxCrossEntropyWithLogits} from 'tfjs-sparse-softmax-cross-entropy';

setBackend('webgl').then(() => {
  const logits = tensor2d([[1, 2, 3], [3, 2, 1]]);
  softmax(logits).print();
  sparseSoftmaxCrossEntropyWithLogits(logits, [0, 2]).loss.print();
  console.log(getBackend());
});
