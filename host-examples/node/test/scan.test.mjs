// scan.mjs: NDJSON from files and stdin, alerts on stdout, errors on stderr, exit codes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { nativeVerdicts, repo, samples } from '../../../bindings/js/test/support.mjs';

const script = fileURLToPath(new URL('../scan.mjs', import.meta.url));
const run = (args, input) => spawnSync(process.execPath, [script, ...args], { cwd: repo, input, encoding: 'utf8' });
const outLines = (r) => r.stdout.split('\n').filter(Boolean);

test('a file of positives: every alert, as the native core renders it, exit 1', () => {
  const r = run(['samples/positives.ndjson']);
  assert.equal(r.status, 1, r.stderr);
  assert.deepEqual(outLines(r), nativeVerdicts(samples().positives));
  assert.equal(r.stderr, '');
});

test('negatives: nothing, exit 0; --profile and --output apply', () => {
  const neg = run(['samples/negatives.ndjson']);
  assert.equal(neg.status, 0, neg.stderr);
  assert.equal(neg.stdout, '');
  const ecs = run(['--output', 'ecs', '--profile', 'hardened', 'samples/positives.ndjson']);
  assert.deepEqual(outLines(ecs), nativeVerdicts(samples().positives, { output: 'ecs', profile: 'hardened' }));
});

test('stdin, with a malformed line and CRLF line ends: errors on stderr, exit 3', () => {
  const [p1, p2] = samples().positives;
  const r = run([], `${p1}\r\n{"ParentImage":"dns.exe",\r\n\r\n${p2}\r\n`);
  assert.equal(r.status, 3);
  assert.equal(outLines(r).length, 2);
  assert.match(r.stderr, /^dnschild: stdin line 2: malformed_json: malformed JSON: .*\n$/);
});

test('a line that is not UTF-8 is an invalid_utf8 error of its own, as in dnschild scan: exit 3', () => {
  const alert = '{"actionname":"Process started","PARENTPROCESSNAME":"C:\\\\Windows\\\\System32\\\\dns.exe",'
    + '"PROCESSNAME":"C:\\\\Windows\\\\System32\\\\cmd.exe","HOSTNAME":"DNS01"}';
  const [head, tail] = alert.split('DNS01');
  const bad = Buffer.concat([Buffer.from(`${head}DNS`), Buffer.from([0xff]), Buffer.from(`01${tail}`)]); // 0xff in HOSTNAME
  const dir = mkdtempSync(`${tmpdir()}/dnschild-scan-`);
  writeFileSync(`${dir}/utf8.ndjson`, Buffer.concat([Buffer.from(`${alert}\n`), bad, Buffer.from('\n')]));
  const r = run([`${dir}/utf8.ndjson`]);
  assert.equal(r.status, 3, r.stderr);
  assert.equal(outLines(r).length, 1);
  assert.equal(JSON.parse(outLines(r)[0]).hostname, 'DNS01');
  assert.equal(r.stderr, `dnschild: ${dir}/utf8.ndjson line 2: invalid_utf8: the event bytes are not valid UTF-8\n`);
});

test('a configuration file; a bad one is exit 4 naming the key', () => {
  const dir = mkdtempSync(`${tmpdir()}/dnschild-scan-`);
  writeFileSync(`${dir}/ok.json`, JSON.stringify({ allowlist: { command_line_contains: ['whoami'] } }));
  writeFileSync(`${dir}/bad.json`, JSON.stringify({ allowlist: { host: ['x'] } }));
  const ok = run(['--config', `${dir}/ok.json`, 'samples/positives.ndjson']);
  assert.equal(ok.status, 1);
  const cfg = { allowlist: { command_line_contains: ['whoami'] } };
  assert.deepEqual(outLines(ok), nativeVerdicts(samples().positives, cfg).filter((v) => v !== null));
  assert.ok(outLines(ok).length < 19);
  const bad = run(['--config', `${dir}/bad.json`, 'samples/positives.ndjson']);
  assert.equal(bad.status, 4);
  assert.match(bad.stderr, /^dnschild: bad configuration \(allowlist\.host\): unknown configuration key `allowlist\.host`\n/);
  const missing = run(['no-such-file.ndjson']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no-such-file\.ndjson: ENOENT/);
});
