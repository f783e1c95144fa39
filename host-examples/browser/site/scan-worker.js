// The file scanner, off the main thread: splits a file into events and evaluates them in
// batches, posting progress between batches so the page stays responsive. A new
// configuration re-scans the loaded file at once; a newer scan abandons an older one.
//
// In:  { type: 'config', config } | { type: 'scan', file: File } | { type: 'cancel' }
// Out: { type: 'ready' } | { type: 'loaded', id, name, format, total }
//      | { type: 'progress', id, first, done, total, counts, rows } | { type: 'done', id, counts, ms }
//      | { type: 'cancelled', id } | { type: 'failed', id, kind, key, message }

import { Detector, DnschildError, init } from './dnschild/web.js';
import { decode, splitEvents } from './split.js';

const BATCH = 2000;
const MAX_ROWS = 500;
let detector = null;
let events = [];
let name = '';
let generation = 0;

/** The table row of one alert (plain values; the page renders them as text). */
const row = (index, a) => ({
  index, hostname: a.hostname ?? '', process_name: a.process_name ?? '', command_line: a.command_line ?? '',
  parent_process_name: a.parent_process_name ?? '', user_name: a.user_name ?? '', shape: a.shape, profile: a.profile,
});

async function scan() {
  const id = ++generation;
  const started = performance.now();
  const counts = { events: events.length, alerts: 0, clean: 0, errors: {} };
  for (let from = 0; from < events.length; from += BATCH) {
    const rows = [];
    const results = detector.evaluateBatch(events.slice(from, from + BATCH));
    results.forEach((r, i) => {
      if (r === null) counts.clean++;
      else if (r instanceof DnschildError) counts.errors[r.kind] = (counts.errors[r.kind] ?? 0) + 1;
      else {
        counts.alerts++;
        if (counts.alerts <= MAX_ROWS) rows.push(row(from + i + 1, r));
      }
    });
    const done = Math.min(from + BATCH, events.length);
    postMessage({ type: 'progress', id, first: from === 0, done, total: events.length, counts, rows });
    await new Promise((resolve) => setTimeout(resolve, 0)); // let messages in
    if (id !== generation) return; // superseded or cancelled
  }
  postMessage({ type: 'done', id, name, counts, ms: Math.round(performance.now() - started) });
}

const fail = (err) => postMessage({
  type: 'failed', id: generation, kind: err.kind ?? 'internal', key: err.key ?? '', message: String(err.message ?? err),
});
const start = () => scan().catch(fail);

async function handle(msg) {
  if (msg.type === 'config') {
    try {
      // The table always shows native fields, whatever output the page renders.
      detector = new Detector({ ...msg.config, output: 'native' });
    } catch (err) {
      fail(err);
      return;
    }
    if (events.length) start(); // not awaited: a newer message may supersede it
  } else if (msg.type === 'scan') {
    generation++; // stop any scan in progress while the file is read
    const text = decode(await msg.file.arrayBuffer());
    const split = splitEvents(text);
    events = split.events;
    name = msg.file.name;
    postMessage({ type: 'loaded', id: generation + 1, name, format: split.format, total: events.length });
    start();
  } else if (msg.type === 'cancel') {
    generation++;
    postMessage({ type: 'cancelled', id: generation });
  }
}

let queue = Promise.resolve();
const started = init().then(() => {
  detector = new Detector();
  postMessage({ type: 'ready' });
});
onmessage = (e) => {
  queue = queue.then(() => started).then(() => handle(e.data)).catch(fail);
};
