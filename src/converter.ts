/**
 * The `tfjs-sparse-softmax-cross-entropy/converter` entry: the main entry,
 * plus the op registered with tfjs-converter (`./register_converter`), so
 * graph models (`tf.loadGraphModel`) that use TensorFlow's
 * `SparseSoftmaxCrossEntropyWithLogits` run, both outputs included. The main
 * entry registers the op itself where it can see the converter (script tags,
 * CommonJS); ES modules and bundlers need this entry.
 *
 * A separate entry because `@tensorflow/tfjs-converter` is an optional peer:
 * the main entry never imports it, so it loads without the converter, while
 * this one imports it plainly, which works the same from CommonJS, ES modules
 * and bundlers (a guarded `require` would not).
 */
import './register_converter.js';

export * from './index.js';
