/**
 * The modules this package can see without importing them: the script-tag
 * global `tf`, and CommonJS's module cache. `namespaces.ts` looks in them for
 * tfjs-core's re-exporters, `register_with_visible_converters.ts` for
 * tfjs-converter.
 */

import {loadedCommonJsExports} from './tfjs_internals.js';

/**
 * The global `tf` of tfjs's script-tag bundles (our UMD bundle reaches it
 * through a bundler's import interop, which hands tfjs-core over as a copy,
 * so the global itself is named here), then the exports of every CommonJS
 * module loaded so far (none under ES modules or in browsers).
 */
export function visibleModules(): object[] {
  return [(globalThis as {tf?: unknown}).tf, ...loadedCommonJsExports()]
      .filter((moduleExports): moduleExports is object =>
          typeof moduleExports === 'object' && moduleExports !== null);
}
