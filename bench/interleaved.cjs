// The benches' timer: variants interleaved, one of each per round, so the
// drift of a shared machine's speed moves them alike. (CommonJS: bundled
// into the browser pages with bench/measure.cjs, and imported by the Node
// benches.)
const {quantile} = require('./quartiles.cjs');

/**
 * Median time in ms of each variant (sync or async), with its quartiles,
 * over rounds after two warm-up rounds: at least `minRounds`, then more
 * while within `budgetMs`, at most `maxRounds`. Each round runs the
 * variants in a new shuffled order (a fixed seed), so what one leaves
 * behind (garbage collected during the next call, a cache full of its
 * tensors) falls on a different next variant each time. A fixed order, or
 * one rotated each round (which keeps the cyclic order), gives a variant
 * the same predecessor every round: the step after the one-hot composite
 * paid for its garbage (the z-loss step read 1.50x the plain step on wasm
 * at [512, 1000] that way, 1.05x alone), and on tfjs-node the op's step
 * read 2.1x the `tf.losses` step, which runs the same kernels.
 */
async function timeInterleaved(variants, budgetMs, minRounds, maxRounds) {
  const names = Object.keys(variants);
  const times = Object.fromEntries(names.map(name => [name, []]));
  const shuffled = shuffler();
  const round = async record => {
    for (const name of shuffled(names)) {
      const t0 = performance.now();
      await variants[name]();
      if (record) times[name].push(performance.now() - t0);
    }
  };
  await round(false);
  await round(false);
  const start = performance.now();
  for (let rounds = 0; rounds < minRounds ||
       (rounds < maxRounds && performance.now() - start < budgetMs);
       rounds++) {
    await round(true);
  }
  return Object.fromEntries(names.map(name => [name, {
    ms: quantile(times[name], 0.5), p25: quantile(times[name], 0.25),
    p75: quantile(times[name], 0.75), runs: times[name].length,
  }]));
}

/** A function returning shuffled copies of an array (Fisher-Yates, xorshift32 from a fixed seed). */
function shuffler() {
  let seed = 0x2545f491;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 2 ** 32;
  };
  return items => {
    const order = [...items];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  };
}

module.exports = {timeInterleaved};
