/**
 * TensorFlow's GraphDef of one `SparseSoftmaxCrossEntropyWithLogits` node
 * (features float, labels int32 -> xent:0, xent:1), as tfjs-converter reads
 * it: the graph model the package's routes are tested with.
 */
export const SPARSE_XENT_GRAPH = {
  node: [
    {name: 'features', op: 'Placeholder', attr: {dtype: {type: 'DT_FLOAT'}}},
    {name: 'labels', op: 'Placeholder', attr: {dtype: {type: 'DT_INT32'}}},
    {
      name: 'xent', op: 'SparseSoftmaxCrossEntropyWithLogits',
      input: ['features', 'labels'],
      attr: {T: {type: 'DT_FLOAT'}, Tlabels: {type: 'DT_INT32'}},
    },
  ],
  versions: {producer: 1395},
};
