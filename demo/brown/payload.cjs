// What the browser's Brown page downloads, built from corpus.cjs: a JSON of
// the vocabulary and its add-one unigram probabilities with each file's
// length, and the word ids of every training then every held-out file as
// little-endian Int32. The demo's server and its browser test both serve
// this, so the test loads exactly what a reader's tab loads.
const {Buffer} = require('node:buffer');

const brown = require('./corpus.cjs');

/** `{json, ids}`: the JSON text and the ids as a Buffer. */
function buildBrownPayload(options) {
  const corpus = brown.loadBrown(options);
  const words = corpus.vocabulary.words;
  const unigram = brown.unigramProbabilities(corpus.train, words.length);
  const files = [...corpus.train, ...corpus.heldOut];
  const ids = Buffer.alloc(4 * files.reduce((n, file) => n + file.length, 0));
  let offset = 0;
  for (const file of files) {
    // writeInt32LE whatever the machine's byte order.
    for (const id of file) offset = ids.writeInt32LE(id, offset);
  }
  const json = JSON.stringify({
    words,
    unigram: Array.from(unigram),
    trainFileLengths: corpus.train.map(file => file.length),
    heldOutFileLengths: corpus.heldOut.map(file => file.length),
  });
  return {json, ids};
}

module.exports = {buildBrownPayload};
