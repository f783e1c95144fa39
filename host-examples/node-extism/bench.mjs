// Per-call time of the Extism plugin from Node on two sample events: `node bench.mjs [CALLS]`.
// Prints one JSON line per (host, event), like `cargo run --example percall`.

import { readFileSync } from 'node:fs';
import { Detector } from './index.mjs';

const calls = Number(process.argv[2] ?? 100000);
const samples = new URL('../../samples/', import.meta.url);
const d = await Detector.create();
for (const [name, file] of [['benign', 'negatives.ndjson'], ['candidate', 'positives.ndjson']]) {
  const event = readFileSync(new URL(file, samples), 'utf8').split('\n')[0];
  let t = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) await d.evaluateRaw(event);
  const us = (ns, n) => Math.round(Number(ns) / 1e3 / n * 1000) / 1000;
  console.log(JSON.stringify({ host: 'extism (node, single)', event: name, calls, us_per_call: us(process.hrtime.bigint() - t, calls) }));
  const batch = new Array(256).fill(event);
  const rounds = Math.max(Math.floor(calls / 256), 1);
  t = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) await d.evaluateBatch(batch);
  console.log(JSON.stringify({ host: 'extism (node, batch 256)', event: name, calls: rounds * 256, us_per_call: us(process.hrtime.bigint() - t, rounds * 256) }));
}
await d.close();
