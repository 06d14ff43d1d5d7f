/**
 * Checks a Node lane's worker runs besides the catalogue's cases, by name.
 * `NO_READ_BACKS` fails if the op's forward kernel and gradient read a
 * tensor back through the backend's `readSync` (on wasm: the package's
 * kernels did not find the heap and ran the typed-array kernels instead).
 */
export const NO_READ_BACKS = 'the op and its gradient read nothing back';
