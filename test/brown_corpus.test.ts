/**
 * The Brown Corpus reader of the demo (`demo/brown/corpus.cjs`), on a few of
 * its files: tags stripped, words lowercased, the vocabulary by frequency,
 * the split by file, and the unigram baseline.
 */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';

interface Vocabulary {
  words: string[];
  index: Map<string, number>;
}

interface Corpus {
  corpusDirectory(): string;
  corpusFiles(directory?: string): string[];
  wordsOf(text: string): string[];
  splitFiles(files: string[], heldOutEvery?: number):
      {train: string[], heldOut: string[]};
  buildVocabulary(wordLists: string[][]): Vocabulary;
  loadBrown(options: {files?: string[], heldOutEvery?: number}): {
    vocabulary: Vocabulary,
    trainFiles: string[],
    heldOutFiles: string[],
    train: Int32Array[],
    heldOut: Int32Array[],
  };
  unigramProbabilities(train: Int32Array[], vocabularySize: number):
      Float64Array;
  perplexity(negativeLogProbabilities: number[]): number;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const corpus = require('../demo/brown/corpus.cjs') as Corpus;

describe('the Brown Corpus reader', () => {
  it('finds the 500 files, by genre and number', () => {
    const files = corpus.corpusFiles();
    expect(files).toHaveLength(500);
    expect(files[0]).toBe('ca01');
    expect(files[499]).toBe('cr09');
  });

  it('strips tags and lowercases, keeping punctuation and clitics', () => {
    expect(corpus.wordsOf('\n\tThe/at Fulton/np-tl County/nn-tl ``/`` ' +
        'Atlanta\'s/np$ ./.\n')).toEqual(['the', 'fulton', 'county', '``',
      'atlanta\'s', '.']);
    // A word holding a slash keeps it; only the last one starts the tag.
    expect(corpus.wordsOf('and/or/cc 1/2/cd')).toEqual(['and/or', '1/2']);
  });

  it('holds out every tenth file, from every run of ten', () => {
    const files = Array.from({length: 25}, (_, i) => `f${i}`);
    const {train, heldOut} = corpus.splitFiles(files, 10);
    expect(heldOut).toEqual(['f9', 'f19']);
    expect(train).toHaveLength(23);
    expect(train).not.toContain('f9');
  });

  it('reads a few files into ids of a frequency-ordered vocabulary', () => {
    const files = ['ca01', 'ca02', 'cb01', 'cr09'];
    const brown = corpus.loadBrown({files, heldOutEvery: 2});
    expect(brown.trainFiles).toEqual(['ca01', 'cb01']);
    expect(brown.heldOutFiles).toEqual(['ca02', 'cr09']);
    const {words, index} = brown.vocabulary;
    expect(words[0]).toBe('the');
    expect(new Set(words).size).toBe(words.length);
    // Ids map back to the file's words, in order.
    const text = readFileSync(join(corpus.corpusDirectory(), 'ca02'), 'utf8');
    const expected = corpus.wordsOf(text);
    expect(Array.from(brown.heldOut[0], id => words[id])).toEqual(expected);
    expect(index.get(expected[0])).toBe(brown.heldOut[0][0]);
    // Every distinct word of the four files is in the vocabulary.
    const all = new Set(files.flatMap(file => corpus.wordsOf(readFileSync(
        join(corpus.corpusDirectory(), file), 'utf8'))));
    expect(words.length).toBe(all.size);
  });

  it('gives add-one unigram probabilities that sum to one', () => {
    const probabilities = corpus.unigramProbabilities(
        [Int32Array.from([0, 0, 1]), Int32Array.from([0])], 4);
    // Counts 3, 1, 0, 0 plus one each, over 4 + 4.
    expect(Array.from(probabilities)).toEqual([4 / 8, 2 / 8, 1 / 8, 1 / 8]);
    expect(corpus.perplexity([Math.log(4), Math.log(4)])).toBeCloseTo(4, 12);
  });
});
