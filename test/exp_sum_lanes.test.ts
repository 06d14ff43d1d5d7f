/**
 * The loss-only pass's summing exp (`expSum16` in
 * src/kernels/row_passes/assembly/row_passes.ts) against float64's exp, as
 * the pass uses it: through the row's sum. Each row is 16 logits (one
 * `expSum16` call): 0 (the max, whose term is exactly 1) in lane 0, `d` in
 * lanes 1-3, and -200 in the rest (clamped: terms under 2^-170), so each
 * float32 lane holds one exp and `logSumExp = log(1 + 3 exp(d) (1 + e))`
 * shows the exp's relative error `e` to about 1e-7. The source states `e`
 * within 2.5e-7 + 6.5e-8 |d|; every 1/1000 of d in [-18, 0] is checked
 * (further down, 3 exp(d) beside 1 in the float64 sum loses the bits
 * that show it).
 */
import {simdHex} from '../src/kernels/row_passes/row_passes_binary';

const NUM_CLASSES = 16;
/** What rounding `logSumExp` to float32 and the float64 sum add to `e`. */
const READ_BACK = 1.2e-7;

it('the summing exp is within 2.5e-7 + 6.5e-8 |d| of float64\'s exp for ' +
   'd in [-18, 0]', () => {
  const ds: number[] = [];
  for (let step = 1; step <= 18000; step++) {
    ds.push(Math.fround(-step / 1000));
  }
  const batch = ds.length;
  const logitsBytes = batch * NUM_CLASSES * 4;
  const memory = new WebAssembly.Memory(
      {initial: Math.ceil((logitsBytes + 4096 + 16 * batch) / 65536)});
  const exports = new WebAssembly.Instance(
      new WebAssembly.Module(Buffer.from(simdHex, 'hex')),
      {env: {memory}, Math: {log: Math.log}}).exports as
      {[name: string]: CallableFunction};
  const logitsAt = 0;
  const labelsAt = logitsBytes;
  const lossAt = labelsAt + 4 * batch;
  const rowMaxAt = lossAt + 4 * batch;
  const logSumExpAt = rowMaxAt + 4 * batch;
  const constantsAt = logSumExpAt + 4 * batch;
  exports.writeExpConstants(constantsAt);

  const logits = new Float32Array(memory.buffer, logitsAt, batch * NUM_CLASSES);
  logits.fill(-200);
  ds.forEach((d, row) => {
    logits.set([0, d, d, d], row * NUM_CLASSES);
  });
  exports.lossForward(logitsAt, labelsAt, lossAt, rowMaxAt, logSumExpAt,
      batch, NUM_CLASSES, constantsAt);

  const logSumExp = new Float32Array(memory.buffer, logSumExpAt, batch);
  let worst = {excess: -Infinity, d: 0, error: 0};
  ds.forEach((d, row) => {
    const error = Math.abs(Math.expm1(logSumExp[row]) / (3 * Math.exp(d)) - 1);
    const excess = error - (2.5e-7 + 6.5e-8 * Math.abs(d) + READ_BACK);
    if (excess > worst.excess) worst = {excess, d, error};
  });
  expect({worst, within: worst.excess <= 0}).toEqual({worst, within: true});
});
