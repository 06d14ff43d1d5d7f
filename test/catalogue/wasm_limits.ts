/** Cases whose inputs tfjs's wasm backend itself cannot make, and why. */
export const cannotRunOnWasm: {[name: string]: string} = {
  'rejects complex features clearly, leaking nothing':
      'tfjs-backend-wasm has no Complex kernel',
};
