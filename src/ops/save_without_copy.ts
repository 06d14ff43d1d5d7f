import {engine, keep, Tensor} from '@tensorflow/tfjs-core';

/**
 * Saves `tensors` for the gradient of the tape node that has just recorded
 * `output`, without copying their data.
 *
 * tfjs's `save` keeps a clone of each tensor, made by the `Identity` kernel.
 * On `cpu`, `webgl` and `webgpu` that clone shares the data (a reference
 * count); on `wasm` it copies it, and a first-order training step on the
 * op's `loss` then copied `backprop` twice (its two tape nodes each save it):
 * 0.79 and 0.76 ms beside a 6.94 ms forward pass at `[64, 32000]`. Here each
 * tensor gets an alias of its data (the reference count raised, as cpu's
 * `Identity` does), appended to the node's saved list, which tfjs hands to
 * the node's gradient and disposes with the tape like any saved tensor.
 *
 * Only for gradients that are not themselves recorded (see
 * `gradientIsRecorded`): tfjs records the `Identity` clone on the tape so
 * that a gradient of a gradient reaches the original tensor through it, and
 * an alias has no such link.
 * Call it only where `canSaveWithoutCopy()` said yes before the node ran.
 */
export function saveWithoutCopy(output: Tensor, tensors: Tensor[]): void {
  const tape = activeTape();
  const node = tape?.[tape.length - 1];
  if (node == null || node.outputs[0] !== output) {
    throw new Error(
        'sparseSoftmaxCrossEntropyWithLogits: internal error, the tape ' +
        'node of an output to save for was not found');
  }
  const backend = engine().backend;
  for (const tensor of tensors) {
    backend.incRef(tensor.dataId);
    node.saved.push(keep(engine().makeTensorFromTensorInfo(
        {dataId: tensor.dataId, shape: tensor.shape, dtype: tensor.dtype},
        backend)));
  }
}

/**
 * Whether tfjs's tape is where `saveWithoutCopy` finds it (the engine's
 * `state.activeTape`, set while a gradient is recorded).
 */
export function canSaveWithoutCopy(): boolean {
  return Array.isArray(activeTape());
}

/**
 * Whether what runs now is recorded for a gradient that is not itself
 * recorded, on a tape `saveWithoutCopy` can reach: where aliases may be
 * saved instead of tfjs's clones.
 */
export function savesAliases(): boolean {
  return engine().isTapeOn() && !gradientIsRecorded() && canSaveWithoutCopy();
}

/**
 * Whether the gradients of what is now being recorded will run on a tape
 * too: tfjs nests tapes, and a node's gradient runs at the depth below the
 * one it was recorded at. An engine without the depth counts as recording.
 */
export function gradientIsRecorded(): boolean {
  const {gradientDepth} = engine().state as {gradientDepth?: number};
  return gradientDepth == null || gradientDepth > 1;
}

interface RecordedNode {
  outputs: Tensor[];
  saved: Tensor[];
}

function activeTape(): RecordedNode[]|null|undefined {
  return (engine().state as {activeTape?: RecordedNode[] | null}).activeTape;
}
