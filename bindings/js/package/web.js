// The browser (and any ESM runtime with fetch) entry: `await init()` once, then call away.

import initWasm from './wasm/dnschild_js.js';
import { markReady } from './api.js';

let loading = null;

/**
 * Fetches and instantiates the WebAssembly module once. `source` is optional: a URL, a
 * Response, bytes or a compiled WebAssembly.Module; by default the .wasm beside this file.
 */
export function init(source) {
  loading ??= initWasm(source === undefined ? undefined : { module_or_path: source }).then(
    () => markReady(),
    (err) => {
      loading = null; // let a later call try again
      throw err;
    },
  );
  return loading;
}

export {
  Detector, DnschildConfigError, DnschildError, DnschildEventError,
  configure, currentConfig, evaluate, evaluateBatch, evaluateRaw, explain, ruleInfo,
} from './api.js';
