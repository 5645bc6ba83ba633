declare module 'node-gyp-build' {
  function load(dir: string): unknown;
  namespace load {
    /** The path of the binary `load(dir)` would load; throws when none fits. */
    function resolve(dir: string): string;
  }
  export = load;
}
