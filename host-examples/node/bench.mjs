// Per-call time of the wasm-bindgen package in Node: a 1 KB event that alerts (full parse),
// one that the fast path rejects, and the same alerting event through evaluateBatch.
//   node bench.mjs [CALLS]

import { cpus } from 'node:os';
import { Detector } from '../../dist/js/node.js';
import { benchEvents } from '../browser/site/bench-events.js';

const calls = Number(process.argv[2] ?? 100000);
const d = new Detector();
const { alerting, rejected } = benchEvents();

/** Prints the time per event of `n` calls of `fn` (each call handling `per` events). */
function time(label, fn, n, per = 1) {
  for (let i = 0; i < Math.min(n, 5000); i++) fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  const us = Number(process.hrtime.bigint() - t0) / 1000 / n / per;
  console.log(`node ${process.version}  ${label.padEnd(34)} ${us.toFixed(2)} µs/call`);
}

console.log(`# ${cpus()[0].model}, ${cpus().length} cpus, ${new Date().toISOString().slice(0, 10)}`);
time(`evaluateRaw, ${alerting.length} B alerting`, () => d.evaluateRaw(alerting), calls);
time('evaluate (parsed alert object)', () => d.evaluate(alerting), calls);
time(`evaluateRaw, ${rejected.length} B fast reject`, () => d.evaluateRaw(rejected), calls);
const batch = Array(256).fill(alerting);
time('evaluateBatch of 256, per event', () => d.evaluateBatch(batch), Math.ceil(calls / 256), 256);
