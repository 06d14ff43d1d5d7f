// `npm run demo:browser`: serves the browser demo on 127.0.0.1 (PORT, default
// 8080): the spiral page at /, the Brown Corpus page at /brown.html, their
// scripts, tfjs's bundles, this package's UMD bundle and the corpus payload
// (demo/site.cjs lists them), nothing else.
import {createServer} from 'node:http';
import {createRequire} from 'node:module';
import {fileURLToPath, URL} from 'node:url';

const require = createRequire(import.meta.url);
const {demoSite} = require('./site.cjs');

/** The demo's files by URL path: {contentType, body()}. */
export const DEMO_FILES = demoSite();

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 8080);
  createServer((request, response) => {
    const file = DEMO_FILES[new URL(request.url, 'http://localhost').pathname];
    if (!file) {
      response.writeHead(404).end('not found');
      return;
    }
    response.writeHead(200, {'content-type': file.contentType}).end(file.body());
  }).listen(port, '127.0.0.1', () =>
    console.log(`Open http://127.0.0.1:${port}/ (the spiral) or ` +
        `http://127.0.0.1:${port}/brown.html (the Brown Corpus) ` +
        '(Ctrl-C stops the server)'));
}
