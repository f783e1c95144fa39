#!/usr/bin/env node
// node scan.mjs [--profile NAME] [--output FORMAT] [FILE...]: scan NDJSON (stdin when no file).
// Alerts on stdout, one JSON per line; summary on stderr; exit 0 none, 1 alerts, 2 errors, 3 both, 4 fatal.
// Lines are read as bytes and each is decoded strictly: invalid UTF-8 is an `invalid_utf8` error
// of that line, as in `dnschild scan`.

import { createReadStream } from 'node:fs';
import { Detector, EventError } from './index.mjs';

/** The lines of a byte stream, as bytes: split at `\n`, the `\r`s before it dropped. */
async function* byteLines(input) {
  let pieces = [];
  for await (const chunk of input) {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      pieces.push(chunk.subarray(start, nl));
      yield withoutCr(Buffer.concat(pieces));
      pieces = [];
      start = nl + 1;
    }
    if (start < chunk.length) pieces.push(chunk.subarray(start));
  }
  if (pieces.length > 0) yield withoutCr(Buffer.concat(pieces));
}

/** `bytes` without the `\r`s at its end. */
function withoutCr(bytes) {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 13) end -= 1;
  return bytes.subarray(0, end);
}

/** Line `n` as an event's bytes, or null for a blank line (ASCII white space only, as `dnschild scan`). */
function eventBytes(bytes, n) {
  const b = n === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  return b.every((c) => c === 32 || (c >= 9 && c <= 13 && c !== 11)) ? null : b;
}

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
  const results = await detector.evaluateBatch(batch.map((b) => b.bytes));
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
    for await (const raw of byteLines(input)) {
      line++;
      const bytes = eventBytes(raw, line);
      if (bytes === null) continue;
      events++;
      batch.push({ name, line, bytes }); // bytes: the Detector decodes them strictly (invalid_utf8)
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
