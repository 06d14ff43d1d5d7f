// The Brown demo's training data helpers, shared by the Node demo
// (demo/brown.mjs, through require) and the Brown page (a plain script tag,
// the global `brownTrainingData`): the same triples, the same seeded
// sampling, the same perplexity in both.
(function(root) {
  /** Every (word - 2, word - 1) -> word triple inside each file. */
  function triples(files) {
    const count = files.reduce((n, ids) => n + Math.max(0, ids.length - 2), 0);
    const [before, previous, next] = [0, 1, 2].map(() => new Int32Array(count));
    let k = 0;
    for (const ids of files) {
      for (let i = 2; i < ids.length; i++, k++) {
        [before[k], previous[k], next[k]] = [ids[i - 2], ids[i - 1], ids[i]];
      }
    }
    return {before, previous, next, size: count};
  }

  /** A linear congruential generator in [0, 1): the same draws everywhere. */
  function seededRandom(seed) {
    let state = seed >>> 0;
    return () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
  }

  /** exp of the mean of per-token negative log probabilities. */
  function perplexity(negativeLogProbabilities) {
    let sum = 0;
    for (const value of negativeLogProbabilities) sum += value;
    return Math.exp(sum / negativeLogProbabilities.length);
  }

  const api = {triples, seededRandom, perplexity};
  if (typeof module === 'object' && module.exports) {
    module.exports = api;
  } else {
    root.brownTrainingData = api;
  }
})(this);
