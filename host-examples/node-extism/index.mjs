// dnschild from Node.js through Extism (@extism/extism 1.0.3).
//
// @extism/extism 1.0.3 keeps every input/output block of every call until the plugin is
// reset, and fails at call 16,383 ("cannot assign to this block"). Detector resets the
// plugin every `resetEvery` calls (and re-applies a configuration given with configure()),
// so memory stays flat however long it runs.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import createPlugin from '@extism/extism';

/** The plugin built by `make extism`, or $DNSCHILD_EXTISM_WASM. */
export const defaultWasmPath = process.env.DNSCHILD_EXTISM_WASM
  ?? fileURLToPath(new URL('../../dist/dnschild.extism.wasm', import.meta.url));

/** Base class of the plugin's errors; `kind` is a stable short name. */
export class DnschildError extends Error {
  constructor(kind, message) {
    super(`${kind}: ${message}`);
    this.name = 'DnschildError';
    this.kind = kind;
    this.detail = message;
  }
}

/** One event could not be evaluated (kind: too_large, malformed_json, too_deep, ...). */
export class EventError extends DnschildError {
  constructor(kind, message) { super(kind, message); this.name = 'EventError'; }
}

/** The configuration was refused; `key` names the offending key. */
export class ConfigError extends DnschildError {
  constructor(key, message) { super('config', message); this.name = 'ConfigError'; this.key = key; }
}

function toError(err) {
  const raw = String(err?.message ?? err);
  const start = raw.indexOf('{');
  try {
    const e = JSON.parse(raw.slice(start));
    if (e.kind === 'config') return new ConfigError(e.key ?? '', e.message ?? raw);
    if (typeof e.kind === 'string') return new EventError(e.kind, e.message ?? raw);
  } catch { /* not one of ours */ }
  return new DnschildError('plugin', raw);
}

const text = (event) => (typeof event === 'string' ? event : JSON.stringify(event));

export class Detector {
  #plugin; #calls = 0; #resetEvery; #config = null;

  constructor(plugin, resetEvery) { this.#plugin = plugin; this.#resetEvery = resetEvery; }

  /** Loads the plugin once; `config` is the dnschild configuration (profile, output, allowlist, limits). */
  static async create({ wasm = defaultWasmPath, config = undefined, resetEvery = 1000 } = {}) {
    const data = typeof wasm === 'string' ? await readFile(wasm) : wasm;
    const plugin = await createPlugin(
      { wasm: [{ data }] },
      { useWasi: false, runInWorker: false, config: config === undefined ? {} : { config: JSON.stringify(config) } },
    );
    return new Detector(plugin, resetEvery);
  }

  async #call(fn, input) {
    if (++this.#calls % this.#resetEvery === 0) {
      await this.#plugin.reset();
      if (this.#config !== null) await this.#plugin.call('configure', this.#config);
    }
    try {
      const out = await this.#plugin.call(fn, input);
      return out === null ? '' : out.text();
    } catch (err) {
      throw toError(err);
    }
  }

  /** The alert for one event (an object, or JSON / XML text), or null. */
  async evaluate(event) { return JSON.parse(await this.#call('evaluate', text(event))); }

  /** The alert as the exact JSON text the plugin rendered, or null. */
  async evaluateRaw(event) {
    const out = await this.#call('evaluate', text(event));
    return out === 'null' ? null : out;
  }

  /** One result per event: an alert, null, or an EventError. Multi-line events go one by one. */
  async evaluateBatch(events) {
    const texts = events.map(text);
    const results = new Array(texts.length).fill(null);
    const batched = [];
    for (let i = 0; i < texts.length; i++) {
      if (/[\r\n]/.test(texts[i])) {
        try { results[i] = await this.evaluate(texts[i]); } catch (e) { results[i] = e; }
      } else {
        batched.push(i);
      }
    }
    if (batched.length > 0) {
      const out = JSON.parse(await this.#call('evaluate_batch', batched.map((i) => texts[i]).join('\n')));
      batched.forEach((idx, k) => {
        const r = out[k];
        const isError = r !== null && typeof r === 'object' && Object.keys(r).length === 1 && 'error' in r;
        results[idx] = isError ? new EventError(r.error.kind, r.error.message) : r;
      });
    }
    return results;
  }

  /** Replaces the configuration; a refused one throws ConfigError and keeps the old one. */
  async configure(config) {
    const json = typeof config === 'string' ? config : JSON.stringify(config);
    await this.#call('configure', json);
    this.#config = json;
  }

  /** The rule's documentation. */
  async ruleInfo() { return JSON.parse(await this.#call('rule_info', '')); }

  async close() { await this.#plugin.close(); }
}
