import type {DataType, KernelBackend, Tensor, TensorInfo} from '@tensorflow/tfjs-core';

/**
 * What the kernels use of tfjs-node's backend (`NodeJSKernelBackend`,
 * registered as `'tensorflow'`), typed structurally: the package never
 * imports tfjs-node (an optional peer, and a native addon), and reaches the
 * backend only through the `backend` argument tfjs hands a kernel.
 *
 * `executeSingleOutput` / `executeMultipleOutputs` run a TensorFlow op by
 * name on the backend's tensors, in TensorFlow's own eager runtime; their
 * outputs are tfjs tensors over TensorFlow's buffers. Nothing is read back
 * into JavaScript.
 */
export interface TensorflowBackend extends KernelBackend {
  binding: TensorflowBinding;
  executeSingleOutput(name: string, attrs: OpAttr[], inputs: TensorInfo[]):
      Tensor;
  executeMultipleOutputs(
      name: string, attrs: OpAttr[], inputs: TensorInfo[],
      numOutputs: number): Tensor[];
}

/** The constants of tfjs-node's addon the attributes need. */
interface TensorflowBinding {
  TF_FLOAT: number;
  TF_INT32: number;
  TF_ATTR_TYPE: number;
  TF_ATTR_BOOL: number;
  TF_ATTR_INT: number;
}

/** An op attribute as tfjs-node's addon takes it. */
export interface OpAttr {
  name: string;
  type: number;
  value: number|boolean|number[];
}

/** A type attribute (`T`, `Tlabels`, `Tidx`...) for a tfjs dtype. */
export function typeAttr(
    backend: TensorflowBackend, name: string, dtype: DataType): OpAttr {
  const {binding} = backend;
  const types: Partial<Record<DataType, number>> =
      {float32: binding.TF_FLOAT, int32: binding.TF_INT32};
  const value = types[dtype];
  if (value === undefined) {
    throw new Error(`The tensorflow kernels take float32 and int32 tensors, ` +
        `but got a ${dtype} tensor.`);
  }
  return {name, type: binding.TF_ATTR_TYPE, value};
}

export function boolAttr(
    backend: TensorflowBackend, name: string, value: boolean): OpAttr {
  return {name, type: backend.binding.TF_ATTR_BOOL, value};
}

export function intAttr(
    backend: TensorflowBackend, name: string, value: number): OpAttr {
  return {name, type: backend.binding.TF_ATTR_INT, value};
}

/**
 * Runs `body` with small int32 tensors (axes, shapes, indices) written to
 * the backend, and frees them after, whether `body` returns or throws.
 */
export function withInt32Tensors<T>(
    backend: TensorflowBackend, arrays: number[][],
    body: (...tensors: TensorInfo[]) => T): T {
  const tensors: TensorInfo[] = arrays.map(values => ({
    dataId: backend.write(Int32Array.from(values), [values.length], 'int32'),
    shape: [values.length],
    dtype: 'int32',
  }));
  try {
    return body(...tensors);
  } finally {
    for (const {dataId} of tensors) {
      backend.disposeData(dataId);
    }
  }
}

/** Elementwise binary ops on float32 (they broadcast as NumPy does). */
export function binary(
    backend: TensorflowBackend, op: 'Add'|'Sub'|'Mul', a: TensorInfo,
    b: TensorInfo): Tensor {
  return backend.executeSingleOutput(
      op, [typeAttr(backend, 'T', a.dtype)], [a, b]);
}

/** A float32 op of one input, elementwise or per row (`LogSoftmax`...). */
export function unary(
    backend: TensorflowBackend,
    op: 'Exp'|'Log'|'Neg'|'OnesLike'|'Softmax'|'LogSoftmax', x: TensorInfo):
    Tensor {
  return backend.executeSingleOutput(
      op, [typeAttr(backend, 'T', x.dtype)], [x]);
}

/**
 * `Max` or `Sum` over each row of a 2-D tensor: `[batch, 1]`, or `[batch]`
 * with `keepDims` false.
 */
export function rowReduce(
    backend: TensorflowBackend, op: 'Max'|'Sum', x: TensorInfo,
    keepDims = true): Tensor {
  return withInt32Tensors(backend, [[1]], axis => backend.executeSingleOutput(
      op, [boolAttr(backend, 'keep_dims', keepDims),
        typeAttr(backend, 'T', x.dtype), typeAttr(backend, 'Tidx', 'int32')],
      [x, axis]));
}

/** Each row's first argmax of a 2-D tensor, int32 `[batch]` (`ArgMax`). */
export function rowArgMax(backend: TensorflowBackend, x: TensorInfo): Tensor {
  const axis: TensorInfo = {
    dataId: backend.write(Int32Array.of(1), [], 'int32'),
    shape: [],
    dtype: 'int32',
  };
  try {
    return backend.executeSingleOutput('ArgMax', [
      typeAttr(backend, 'T', x.dtype), typeAttr(backend, 'Tidx', 'int32'),
      typeAttr(backend, 'output_type', 'int32'),
    ], [x, axis]);
  } finally {
    backend.disposeData(axis.dataId);
  }
}

/** `x` with a new shape (same size), no copy in TensorFlow. */
export function reshape(
    backend: TensorflowBackend, x: TensorInfo, shape: number[]): Tensor {
  return withInt32Tensors(backend, [shape], shapeTensor =>
    backend.executeSingleOutput('Reshape',
        [typeAttr(backend, 'T', x.dtype), typeAttr(backend, 'Tshape', 'int32')],
        [x, shapeTensor]));
}

/**
 * The `[batch, 2]` indices `[row, labels[row]]` of each row's label, for
 * `TensorScatterAdd`/`Sub` and `GatherNd`; the row numbers are written,
 * the labels stay in TensorFlow.
 */
export function labelIndices(
    backend: TensorflowBackend, labels: TensorInfo): Tensor {
  const batch = labels.shape[0];
  const rows = Array.from({length: batch}, (_, row) => row);
  return withInt32Tensors(backend, [rows], rowTensor =>
    backend.executeSingleOutput('Pack', [
      intAttr(backend, 'N', 2), typeAttr(backend, 'T', 'int32'),
      intAttr(backend, 'axis', 1),
    ], [rowTensor, labels]));
}

/** `x[row, labels[row]]` per row, `[batch]`, at `labelIndices`' indices. */
export function gatherAtLabels(
    backend: TensorflowBackend, x: TensorInfo, indices: TensorInfo): Tensor {
  return backend.executeSingleOutput('GatherNd', [
    typeAttr(backend, 'Tparams', x.dtype),
    typeAttr(backend, 'Tindices', 'int32'),
  ], [x, indices]);
}

/**
 * `x` with `updates[row]` added at (`'Add'`) or taken from (`'Sub'`) each
 * row's label: `x +- updates[:, None] * onehot(labels)` in one copy of `x`
 * and `batch` updates, instead of building the one-hot matrix.
 */
export function scatterAtLabels(
    backend: TensorflowBackend, op: 'Add'|'Sub', x: TensorInfo,
    indices: TensorInfo, updates: TensorInfo): Tensor {
  return backend.executeSingleOutput(`TensorScatter${op}`, [
    typeAttr(backend, 'T', x.dtype), typeAttr(backend, 'Tindices', 'int32'),
  ], [x, indices, updates]);
}

/** Frees intermediate tensors (tfjs tensors over TensorFlow's buffers). */
export function disposeAll(...tensors: Tensor[]): void {
  for (const tensor of tensors) {
    tensor.dispose();
  }
}
