// What the browser demo's server (demo/serve.mjs) serves, and so what its
// page tests serve: every URL path with its content type and a `body()`.
// Plain CommonJS so the server and the jest tests share one list.
const {Buffer} = require('node:buffer');
const {readFileSync} = require('node:fs');
const {join} = require('node:path');

const {buildBrownPayload} = require('./brown/payload.cjs');

const browser = name => join(__dirname, 'browser', name);
const fromFile = (contentType, file) =>
  ({contentType, body: () => readFileSync(file)});

/**
 * The demo's files by URL path: `{contentType, body()}`. Files are read on
 * each request (an edit shows on reload); the Brown Corpus payload is built
 * once, on its first request (a few seconds).
 */
function demoSite() {
  let payload;
  const brownPayload = () => (payload ??= buildBrownPayload());
  return {
    '/': fromFile('text/html', browser('index.html')),
    '/app.js': fromFile('text/javascript', browser('app.js')),
    '/brown.html': fromFile('text/html', browser('brown.html')),
    '/brown_training_data.js': fromFile('text/javascript',
        join(__dirname, 'brown', 'training_data.cjs')),
    '/brown_model.js': fromFile('text/javascript',
        join(__dirname, 'brown', 'model.cjs')),
    '/brown_app.js': fromFile('text/javascript', browser('brown_app.js')),
    '/tf.min.js': fromFile('text/javascript',
        require.resolve('@tensorflow/tfjs/dist/tf.min.js')),
    '/tf-backend-webgpu.min.js': fromFile('text/javascript',
        require.resolve('@tensorflow/tfjs-backend-webgpu/dist/tf-backend-webgpu.min.js')),
    '/tf-sparse-softmax-cross-entropy.min.js': fromFile('text/javascript',
        join(__dirname, '..', 'dist', 'tf-sparse-softmax-cross-entropy.min.js')),
    '/brown/vocabulary.json': {contentType: 'application/json',
      body: () => Buffer.from(brownPayload().json)},
    '/brown/ids.bin': {contentType: 'application/octet-stream',
      body: () => brownPayload().ids},
  };
}

module.exports = {demoSite};
