// `npm run demo:browser`: serves the browser demo on 127.0.0.1 (PORT, default
// 8080): the page, tfjs's tf.min.js and this package's UMD bundle, nothing else.
import {readFileSync} from 'node:fs';
import {createServer} from 'node:http';
import {createRequire} from 'node:module';
import {dirname, join} from 'node:path';
import {fileURLToPath, URL} from 'node:url';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));

/** The demo's files by URL path: [content type, absolute file]. */
export const DEMO_FILES = {
  '/': ['text/html', join(here, 'browser', 'index.html')],
  '/app.js': ['text/javascript', join(here, 'browser', 'app.js')],
  '/tf.min.js': ['text/javascript', require.resolve('@tensorflow/tfjs/dist/tf.min.js')],
  '/tf-sparse-softmax-cross-entropy.min.js': ['text/javascript',
    join(here, '..', 'dist', 'tf-sparse-softmax-cross-entropy.min.js')],
};

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8080);
  createServer((request, response) => {
    const file = DEMO_FILES[new URL(request.url, 'http://localhost').pathname];
    if (!file) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, {'content-type': file[0]}).end(readFileSync(file[1]));
  }).listen(port, '127.0.0.1', () =>
    console.log(`Open http://127.0.0.1:${port}/ (Ctrl-C stops the server)`));
}
