// The Node entry: loads the WebAssembly module synchronously at import, so every function
// works at once (`init()` is there only so code can be shared with the browser entry).

import { readFileSync } from 'node:fs';
import { initSync } from './wasm/dnschild_js.js';
import { markReady } from './api.js';

initSync({ module: readFileSync(new URL('./wasm/dnschild_js_bg.wasm', import.meta.url)) });
markReady();

/** Already done in Node; resolves at once. */
export async function init() {}

export {
  Detector, DnschildConfigError, DnschildError, DnschildEventError,
  configure, currentConfig, evaluate, evaluateBatch, evaluateRaw, explain, ruleInfo,
} from './api.js';
