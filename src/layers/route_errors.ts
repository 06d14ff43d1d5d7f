/**
 * Errors of the tfjs-layers routes, in the package's format
 * (`fitSparse: argument 'labels' ...`), naming the call that would work.
 */
export function routeError(
    functionName: string, argument: string, message: string): Error {
  return new Error(`${functionName}: argument '${argument}' ${message}`);
}

/** How a model trained on integer labels is compiled, for error messages. */
export const COMPILE_HINT = 'compileSparse(model, {optimizer, metrics}) ' +
    '(or model.compile with loss: sparseCategoricalCrossentropyFromLogits())';
