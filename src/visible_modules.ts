/**
 * The modules this package can see without importing them: the script-tag
 * global `tf`, and CommonJS's module cache. `namespaces.ts` looks in them for
 * tfjs-core's re-exporters, `register_with_visible_converters.ts` for
 * tfjs-converter.
 */

// CommonJS's module-scoped `require`, declared here so the library needs no
// Node typings; under ES modules and in browsers it is undefined.
declare const require: undefined|{
  (id: string): unknown;
  cache?: {[id: string]: {exports?: unknown}|undefined};
};

/**
 * The global `tf` of tfjs's script-tag bundles (our UMD bundle reaches it
 * through a bundler's import interop, which hands tfjs-core over as a copy,
 * so the global itself is named here), then the exports of every CommonJS
 * module loaded so far (none under ES modules or in browsers).
 */
export function visibleModules(): object[] {
  const moduleCache = commonJsModuleCache();
  return [
    (globalThis as {tf?: unknown}).tf,
    ...Object.keys(moduleCache).map(id => moduleCache[id]?.exports),
  ].filter((moduleExports): moduleExports is object =>
      typeof moduleExports === 'object' && moduleExports !== null);
}

/**
 * Node's `require.cache`, or none. Bundlers rewrite `require` in CommonJS
 * code: Rollup's commonjs plugin turns `typeof require` into `'function'`
 * and leaves `require.cache` to throw "require is not defined" at load, so
 * the read is tried, not only tested.
 */
function commonJsModuleCache(): NonNullable<NonNullable<typeof require>['cache']> {
  try {
    return (typeof require === 'function' ? require.cache : undefined) ?? {};
  } catch {
    return {};
  }
}
