#!/usr/bin/env node
// node scan.mjs [--profile NAME] [--output FORMAT] [FILE...]: scan NDJSON (stdin when no file).
// Alerts on stdout, one JSON per line; summary on stderr; exit 0 none, 1 alerts, 2 errors, 3 both, 4 fatal.

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Detector, EventError } from './index.mjs';

const args = process.argv.slice(2);
const config = {};
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--profile' || args[i] === '--output') config[args[i].slice(2)] = args[++i];
  else files.push(args[i]);
}
if (files.length === 0) files.push('-');

let detector;
try {
  detector = await Detector.create({ config: Object.keys(config).length ? config : undefined });
  await detector.ruleInfo();
} catch (e) {
  console.error(`dnschild: ${e.message}`);
  process.exit(4);
}
let events = 0; let alerts = 0; const errors = {};
const flush = async (batch) => {
  const results = await detector.evaluateBatch(batch.map((b) => b.text));
  results.forEach((r, k) => {
    if (r instanceof EventError) {
      errors[r.kind] = (errors[r.kind] ?? 0) + 1;
      console.error(`dnschild: ${batch[k].name} line ${batch[k].line}: ${r.kind}: ${r.detail}`);
    } else if (r !== null) {
      alerts++;
      process.stdout.write(`${JSON.stringify(r)}\n`);
    }
  });
};
for (const name of files) {
  const input = name === '-' ? process.stdin : createReadStream(name);
  let line = 0; let batch = [];
  try {
    for await (const l of createInterface({ input, crlfDelay: Infinity })) {
      line++;
      if (!l.trim()) continue;
      events++;
      batch.push({ name, line, text: l });
      if (batch.length >= 256) { await flush(batch); batch = []; }
    }
    await flush(batch);
  } catch (e) {
    errors.io = (errors.io ?? 0) + 1;
    console.error(`dnschild: ${name}: io: ${e.message}`);
  }
}
const total = Object.values(errors).reduce((a, b) => a + b, 0);
const kinds = Object.entries(errors).sort().map(([k, n]) => `${k}: ${n}`).join(', ');
console.error(`dnschild: ${events} event(s), ${alerts} alert(s), ${total} error(s)${kinds ? ` (${kinds})` : ''}`);
await detector.close();
process.exitCode = (alerts ? 1 : 0) | (total ? 2 : 0);
