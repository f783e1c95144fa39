#!/usr/bin/env node
// Reads NDJSON events from files (or stdin) and prints one alert per line, through the
// wasm-bindgen package (dist/js/). Lines are streamed, so it works at the end of a pipe.
// Lines are read as bytes and each is decoded strictly: invalid UTF-8 is an `invalid_utf8`
// error of that line, as in `dnschild scan`.
//
//   node scan.mjs [--profile NAME] [--output native|ecs|ocsf] [--config FILE] [FILE|- ...]
//
// A line that cannot be evaluated is reported on stderr as `FILE line N: KIND: message`
// and the scan goes on. Exit status: 0 no alert, 1 alerts, 2 errors and no alert,
// 3 alerts and errors, 4 could not run (bad arguments or configuration).

import { createReadStream, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Detector, DnschildConfigError, DnschildEventError } from '../../dist/js/node.js';

const USAGE = 'usage: scan.mjs [--profile NAME] [--output native|ecs|ocsf] [--config FILE] [FILE|- ...]';

/** The detector the command line asks for; throws with a message for people. */
function detectorFor(values) {
  const config = values.config === undefined ? {} : JSON.parse(readFileSync(values.config, 'utf8'));
  if (values.profile !== undefined) config.profile = values.profile;
  if (values.output !== undefined) config.output = values.output;
  return new Detector(config);
}

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

/** Scans one input; returns [alerts, errors]. */
async function scan(detector, name, input, out) {
  let alerts = 0;
  let errors = 0;
  let line = 0;
  for await (const raw of byteLines(input)) {
    line += 1;
    const bytes = eventBytes(raw, line);
    if (bytes === null) continue;
    try {
      const alert = detector.evaluateRaw(bytes); // bytes: decoded strictly, else invalid_utf8
      if (alert !== null) {
        alerts += 1;
        if (!out.write(`${alert}\n`)) await new Promise((resolve) => out.once('drain', resolve));
      }
    } catch (err) {
      if (!(err instanceof DnschildEventError)) throw err;
      errors += 1;
      process.stderr.write(`dnschild: ${name} line ${line}: ${err.kind}: ${err.message}\n`);
    }
  }
  return [alerts, errors];
}

async function main() {
  let values;
  let files;
  let detector;
  try {
    ({ values, positionals: files } = parseArgs({
      options: { profile: { type: 'string' }, output: { type: 'string' }, config: { type: 'string' } },
      allowPositionals: true,
    }));
    detector = detectorFor(values);
  } catch (err) {
    const why = err instanceof DnschildConfigError ? `bad configuration (${err.key || 'document'}): ${err.message}` : err.message;
    process.stderr.write(`dnschild: ${why}\n${USAGE}\n`);
    return 4;
  }
  let alerts = 0;
  let errors = 0;
  for (const file of files.length ? files : ['-']) {
    const name = file === '-' ? 'stdin' : file;
    const input = file === '-' ? process.stdin : createReadStream(file);
    try {
      const [a, e] = await scan(detector, name, input, process.stdout);
      alerts += a;
      errors += e;
    } catch (err) {
      process.stderr.write(`dnschild: ${name}: ${err.message}\n`);
      errors += 1;
    }
  }
  return (alerts > 0 ? 1 : 0) + (errors > 0 ? 2 : 0);
}

process.exitCode = await main();
