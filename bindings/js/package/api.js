// The idiomatic JavaScript API over the raw wasm-bindgen module (see index.d.ts for the
// documented types). Shared by the Node entry (node.js) and the browser entry (web.js);
// neither this file nor the raw module touches files, the network or the clock.

import { Failure, RawDetector, ruleInfo as rawRuleInfo } from './wasm/dnschild_js.js';

/** Base class of every error dnschild throws; `kind` is a stable short name. */
export class DnschildError extends Error {
  constructor(kind, message, options) {
    super(message, options);
    this.name = 'DnschildError';
    this.kind = kind;
  }
}

/** One event could not be evaluated (kind: malformed_json, too_large, invalid_input, ...). */
export class DnschildEventError extends DnschildError {
  constructor(kind, message, options) {
    super(kind, message, options);
    this.name = 'DnschildEventError';
  }
}

/** A configuration was refused (kind `config`); `key` names the offending key. */
export class DnschildConfigError extends DnschildError {
  constructor(key, message, options) {
    super('config', message, options);
    this.name = 'DnschildConfigError';
    this.key = key;
  }
}

let ready = false;

/** Called by an entry point once the WebAssembly module is instantiated. */
export function markReady() {
  ready = true;
}

function requireReady() {
  if (!ready) {
    throw new DnschildError('not_initialized', 'dnschild is not initialised yet: `await init()` first');
  }
}

/** A Failure thrown by the raw module, as one of our Error subclasses. */
function fromFailure(err) {
  if (!(err instanceof Failure)) throw err;
  const { kind, key, message } = err;
  err.free();
  return kind === 'config' ? new DnschildConfigError(key, message) : new DnschildEventError(kind, message);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of an event: a string as is, bytes as UTF-8, anything object-like as JSON. */
function eventText(event) {
  if (typeof event === 'string') return event;
  if (ArrayBuffer.isView(event) || event instanceof ArrayBuffer) {
    try {
      return utf8.decode(event);
    } catch (cause) {
      throw new DnschildEventError('invalid_utf8', 'the event bytes are not valid UTF-8', { cause });
    }
  }
  if (typeof event === 'object' && event !== null) {
    let text;
    try {
      text = JSON.stringify(event);
    } catch (cause) {
      throw new DnschildEventError('invalid_input', `the event cannot be written as JSON: ${cause.message}`, { cause });
    }
    if (typeof text === 'string') return text;
  }
  const what = event === null ? 'null' : typeof event;
  throw new DnschildEventError('invalid_input', `an event must be a string, bytes or an object, not ${what}`);
}

function configText(config) {
  if (typeof config === 'string') return config;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new DnschildConfigError('', 'the configuration must be an object (or its JSON text)');
  }
  try {
    return JSON.stringify(config);
  } catch (cause) {
    throw new DnschildConfigError('', `the configuration cannot be written as JSON: ${cause.message}`, { cause });
  }
}

/** One configured rule. Cheap to call many times; keep one per configuration. */
export class Detector {
  #raw;

  constructor(config) {
    requireReady();
    this.#raw = new RawDetector();
    if (config !== undefined) this.configure(config);
  }

  /** Replaces the configuration; on a refusal the previous one stays in force. */
  configure(config) {
    const text = configText(config);
    try {
      this.#raw.configure(text);
    } catch (err) {
      throw fromFailure(err);
    }
  }

  /** The configuration in force, every key filled in. */
  get config() {
    return JSON.parse(this.#raw.configJson());
  }

  /** The alert for one event, or null. Throws DnschildEventError. */
  evaluate(event) {
    const text = this.evaluateRaw(event);
    return text === null ? null : JSON.parse(text);
  }

  /** The alert as the exact JSON text the core rendered, or null. */
  evaluateRaw(event) {
    const text = eventText(event);
    try {
      return this.#raw.evaluate(text) ?? null;
    } catch (err) {
      throw fromFailure(err);
    }
  }

  /** Every event of an iterable, in order: an alert, null, or a DnschildEventError (not thrown). */
  evaluateBatch(events) {
    const texts = [];
    const early = new Map();
    for (const event of events) {
      try {
        texts.push(eventText(event));
      } catch (err) {
        early.set(texts.length, err);
        texts.push('');
      }
    }
    const entries = JSON.parse(this.#raw.evaluateBatch(texts));
    return entries.map((entry, i) => {
      if (early.has(i)) return early.get(i);
      if (entry !== null && entry.error !== undefined && Object.keys(entry).length === 1) {
        return new DnschildEventError(entry.error.kind, entry.error.message);
      }
      return entry;
    });
  }

  /** Why an event does or does not alert: see `Explanation` in index.d.ts. */
  explain(event) {
    const text = eventText(event);
    try {
      return JSON.parse(this.#raw.explain(text));
    } catch (err) {
      throw fromFailure(err);
    }
  }

  /** Releases the WebAssembly memory now (otherwise it goes when the object is collected). */
  free() {
    this.#raw.free();
  }
}

let shared = null;
const detector = () => (shared ??= new Detector());

/** The alert for one event under the shared configuration, or null. */
export const evaluate = (event) => detector().evaluate(event);
/** The exact rendered alert text under the shared configuration, or null. */
export const evaluateRaw = (event) => detector().evaluateRaw(event);
/** Many events under the shared configuration; see Detector#evaluateBatch. */
export const evaluateBatch = (events) => detector().evaluateBatch(events);
/** Why an event does or does not alert, under the shared configuration. */
export const explain = (event) => detector().explain(event);
/** Replaces the shared configuration. */
export const configure = (config) => detector().configure(config);
/** The shared configuration in force. */
export const currentConfig = () => detector().config;

let info = null;
/** The rule's documentation: description, MITRE mapping, false positives, next steps. */
export function ruleInfo() {
  requireReady();
  info ??= rawRuleInfo();
  return JSON.parse(info);
}
