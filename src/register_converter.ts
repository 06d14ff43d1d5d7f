/**
 * The converter entry's only side effect: registers the op with
 * tfjs-converter, so graph models using TensorFlow's
 * `SparseSoftmaxCrossEntropyWithLogits` run under `tf.loadGraphModel`.
 * Registering again (a second copy of this module) replaces the entry.
 */
import {registerOp} from '@tensorflow/tfjs-converter';

import {sparseSoftmaxCrossEntropyWithLogitsGraphOp} from './converter/graph_op.js';
import {SparseSoftmaxCrossEntropyWithLogits} from './kernel_names.js';

registerOp(SparseSoftmaxCrossEntropyWithLogits,
    sparseSoftmaxCrossEntropyWithLogitsGraphOp);
