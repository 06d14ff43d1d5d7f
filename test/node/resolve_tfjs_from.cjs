// Preloaded (`node -r`) by the tfjs-versions lane: every `@tensorflow/...`
// request, from the package's dist/ or the worker alike, resolves as if made
// from the folder TFJS_FROM (its node_modules first), so one process runs
// the built package on one tfjs release (compat/tfjs-4.0.0 holds 4.0.0).
const Module = require('node:module');

const from = process.env.TFJS_FROM;
if (from) {
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function(request, parent, isMain, options) {
    if (request.startsWith('@tensorflow/')) {
      return resolveFilename.call(this, request, parent, isMain,
          {...options, paths: [from]});
    }
    return resolveFilename.call(this, request, parent, isMain, options);
  };
}
