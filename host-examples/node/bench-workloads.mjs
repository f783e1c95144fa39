// Events/s of the wasm-bindgen package (Node) and of the Extism plugin through @extism/extism
// (Node) on the benchmark workloads: `node bench-workloads.mjs DIR [SECONDS]`, where DIR holds
// the NDJSON files `examples/workloads.rs` writes. One JSON line per (host, workload), read by
// `bench/run.py` (`make bench`).

import { readFileSync } from 'node:fs';
import { Detector } from '../../dist/js/node.js';
import { Detector as ExtismDetector } from '../node-extism/index.mjs';

const [dir, secondsArg = '2'] = process.argv.slice(2);
if (!dir) throw new Error('usage: node bench-workloads.mjs DIR [SECONDS]');
const seconds = Number(secondsArg);

/** Runs `round` (every event once) until `seconds` have passed; prints one JSON line. */
async function timed(host, workload, events, round) {
  await round(); // warm-up
  const t0 = process.hrtime.bigint();
  let n = 0;
  while (n === 0 || Number(process.hrtime.bigint() - t0) / 1e9 < seconds) {
    await round();
    n += events.length;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const bytes = events.reduce((a, e) => a + Buffer.byteLength(e), 0) / events.length;
  console.log(JSON.stringify({ host, workload, events: n, seconds: Number(s.toFixed(4)), bytes_per_event: Number(bytes.toFixed(1)) }));
}

const chunks = (events, size) => Array.from({ length: Math.ceil(events.length / size) }, (_, i) => events.slice(i * size, (i + 1) * size));

const js = new Detector();
const extism = await ExtismDetector.create();
try {
  for (const workload of ['benign', 'candidates_1pct', 'positives']) {
    const events = readFileSync(`${dir}/${workload}.ndjson`, 'utf8').split('\n').filter((l) => l.length > 0);
    const batches = chunks(events, 256);
    await timed('wasm-bindgen, node (one call per event)', workload, events, () => { for (const e of events) js.evaluateRaw(e); });
    await timed('wasm-bindgen, node (batches of 256)', workload, events, () => { for (const b of batches) js.evaluateBatch(b); });
    await timed('extism, node (one call per event)', workload, events, async () => { for (const e of events) await extism.evaluateRaw(e); });
    await timed('extism, node (batches of 256)', workload, events, async () => { for (const b of batches) await extism.evaluateBatch(b); });
  }
} finally {
  await extism.close();
}
