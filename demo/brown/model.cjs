// The Brown demo's next-word model, shared by the Node demo
// (demo/brown.mjs, through require) and the Brown page (a plain script tag,
// the global `brownModel`), so both train exactly the same thing: the two
// previous words through fixed random vectors, a trained tanh layer to
// D = HIDDEN, and the output layer over every word, trained with the
// package's linearSparseSoftmaxCrossEntropy.
(function(root) {
  const STEPS = 300;          // training steps
  const BATCH = 256;          // tokens per training step
  const EMBEDDING = 32;       // per context word
  const HIDDEN = 24;          // D, the output layer's input
  const EVAL_TOKENS = 2048;   // held-out positions scored (a fixed sample)
  const EVALUATIONS = 4;      // held-out scorings after step 0
  // Plain SGD: Adam moves every one of the 49,815 bias and kernel columns by
  // about its learning rate each step whatever the gradient, which undid
  // the unigram start (held-out perplexity 2.2x unigram after 100 steps at
  // 0.05); SGD at 5 reached 0.96x in 50 steps of 128 tokens and 0.76x in
  // 300 steps of 256.
  const LEARNING_RATE = 5;

  /** A batch's tensors at `positions` of `data` (from `triples`). */
  function batchOf(tf, data, positions) {
    return {
      before: tf.tensor1d(positions.map(i => data.before[i]), 'int32'),
      previous: tf.tensor1d(positions.map(i => data.previous[i]), 'int32'),
      next: tf.tensor1d(positions.map(i => data.next[i]), 'int32'),
    };
  }

  /** `n` positions of `data` drawn with `random` (a seeded generator). */
  function randomPositions(random, data, n) {
    return Array.from({length: n}, () => Math.floor(random() * data.size));
  }

  /**
   * The model's tensors and its loss. `unigram`: each word's probability
   * in the training files; the output layer starts as that baseline (zero
   * kernel, log-unigram bias), so step 0's perplexity is the unigram's.
   * `linearSparseSoftmaxCrossEntropy`: the package's, from whichever build
   * the caller loaded.
   */
  function createModel(tf, linearSparseSoftmaxCrossEntropy, unigram) {
    const vocabularySize = unigram.length;
    // Context words enter through fixed random vectors (a gather without a
    // gradient: tfjs's cpu gather gradient loops over every segment, and
    // wasm has none, so it would dominate the step or fail).
    const embedding = tf.randomNormal([vocabularySize, EMBEDDING], 0, 1,
        'float32', 2);
    // In a tidy: each variable's initial value is a tensor of its own.
    const variables = tf.tidy(() => ({
      mixer: tf.variable(tf.randomNormal([2 * EMBEDDING, HIDDEN], 0,
          1 / Math.sqrt(2 * EMBEDDING), 'float32', 3)),
      mixerBias: tf.variable(tf.zeros([HIDDEN])),
      kernel: tf.variable(tf.zeros([HIDDEN, vocabularySize])),
      bias: tf.variable(tf.tensor1d(Float32Array.from(unigram, Math.log))),
    }));
    const hiddenOf = ({before, previous}) => tf.tanh(tf.add(tf.matMul(
        tf.concat([tf.gather(embedding, before),
          tf.gather(embedding, previous)], 1), variables.mixer),
        variables.mixerBias));
    return {
      /** The batch's loss with `reduction` (the package's default if absent). */
      loss(batch, reduction) {
        return linearSparseSoftmaxCrossEntropy(batch.next, hiddenOf(batch),
            variables.kernel, {bias: variables.bias, reduction});
      },
      /** The unfused logits, `matMul(hidden, kernel) + bias`. */
      logits(batch) {
        return tf.add(tf.matMul(hiddenOf(batch), variables.kernel),
            variables.bias);
      },
      dispose() {
        tf.dispose([embedding, variables]);
      },
    };
  }

  const api = {STEPS, BATCH, EVAL_TOKENS, EVALUATIONS, LEARNING_RATE, batchOf,
    randomPositions, createModel};
  if (typeof module === 'object' && module.exports) {
    module.exports = api;
  } else {
    root.brownModel = api;
  }
})(this);
