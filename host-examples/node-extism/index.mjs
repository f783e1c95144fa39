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

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of an event: a string as is, bytes (Uint8Array, Buffer, ...) as strict UTF-8, an
 * object as JSON. Throws EventError `invalid_utf8` or `invalid_input`, as the JS package does. */
function eventText(event) {
  if (typeof event === 'string') return event;
  if (ArrayBuffer.isView(event) || event instanceof ArrayBuffer) {
    try {
      return utf8.decode(event);
    } catch {
      throw new EventError('invalid_utf8', 'the event bytes are not valid UTF-8');
    }
  }
  if (typeof event === 'object' && event !== null) {
    let json;
    try {
      json = JSON.stringify(event);
    } catch (cause) {
      throw new EventError('invalid_input', `the event cannot be written as JSON: ${cause.message}`);
    }
    if (typeof json === 'string') return json;
  }
  throw new EventError('invalid_input', `an event must be a string, bytes or an object, not ${event === null ? 'null' : typeof event}`);
}

/** Whether an event can go in an `evaluate_batch` call (which is split at line breaks). */
const oneLine = (text) => !/[\r\n]/.test(text);

/** One entry of the plugin's batch output: an alert, null, or an EventError. */
function batchEntry(entry) {
  const isError = entry !== null && typeof entry === 'object' && Object.keys(entry).length === 1 && 'error' in entry;
  return isError ? new EventError(entry.error.kind, entry.error.message) : entry;
}

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

  /** The alert for one event (an object, JSON / XML text, or its UTF-8 bytes), or null. */
  async evaluate(event) { return JSON.parse(await this.#call('evaluate', eventText(event))); }

  /** The alert as the exact JSON text the plugin rendered, or null. */
  async evaluateRaw(event) {
    const out = await this.#call('evaluate', eventText(event));
    return out === 'null' ? null : out;
  }

  /**
   * One result per event, in order: an alert, null, or an EventError (returned, not thrown).
   * One-line events go in one call, each ended by a line break (the plugin's framing, so empty
   * events count too); events with a line break go one by one.
   */
  async evaluateBatch(events) {
    const results = [];
    const batched = [];
    const texts = [];
    for (const event of events) {
      let t;
      try {
        t = eventText(event);
      } catch (e) {
        results.push(e);
        continue;
      }
      if (oneLine(t)) {
        batched.push(results.length);
        texts.push(t);
        results.push(null);
      } else {
        results.push(await this.#evaluateOrError(t));
      }
    }
    if (texts.length > 0) {
      const out = JSON.parse(await this.#call('evaluate_batch', texts.map((t) => `${t}\n`).join('')));
      if (!Array.isArray(out) || out.length !== texts.length) {
        throw new DnschildError('plugin', `evaluate_batch gave ${out?.length} results for ${texts.length} events`);
      }
      batched.forEach((idx, k) => { results[idx] = batchEntry(out[k]); });
    }
    return results;
  }

  async #evaluateOrError(text) {
    try {
      return await this.evaluate(text);
    } catch (e) {
      if (e instanceof EventError) return e;
      throw e;
    }
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
