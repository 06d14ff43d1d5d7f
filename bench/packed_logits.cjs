// Logits in the packed texture layout on WebGL, as a packed binary op (a
// layer's matMul or bias add) writes them: the benches time the kernels on
// them beside logits uploaded from the CPU (unpacked). CommonJS, using only
// its arguments, so that bench/measure.cjs's page bundle can require it and
// the other benches can serve its source to their pages
// (`packedLogitsScript`).

/** `logits` (disposed) copied by a packed add; throws if not packed. */
function packedLogits(tf, logits) {
  const packed = tf.tidy(() => tf.add(logits, tf.zerosLike(logits)));
  if (tf.backend().texData?.get(packed.dataId)?.isPacked !== true) {
    throw new Error('expected packed logits on WebGL');
  }
  logits.dispose();
  return packed;
}

/** A page script defining the global `packedLogits(tf, logits)`. */
const packedLogitsScript = `globalThis.packedLogits = ${packedLogits};`;

module.exports = {packedLogits, packedLogitsScript};
