// Types of demo/site.cjs, for the page tests.
export interface DemoFile {
  contentType: 'text/html'|'text/javascript'|'application/json'|
      'application/octet-stream';
  body(): Buffer;
}
export function demoSite(): {[path: string]: DemoFile};
