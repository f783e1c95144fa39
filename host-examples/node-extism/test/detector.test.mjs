// The Extism plugin from Node: verdicts on the samples, parity with the native core on the
// whole corpus, typed errors, configuration, and flat memory over 100,000 calls.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ConfigError, Detector, EventError } from '../index.mjs';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const corpus = process.env.DNSCHILD_CORPUS ?? `${repo}../shared/corpus`;
const haveCorpus = existsSync(`${corpus}/synthetic_dns_child_cases.jsonl`);
if (!haveCorpus && process.env.CI) throw new Error(`CI is set but the corpus is missing at ${corpus}`);

const lines = (p) => readFileSync(p, 'utf8').split('\n').filter((l) => l.trim());
const xmlEvents = (p) => readFileSync(p, 'utf8').match(/<Event[ >][\s\S]*?<\/Event>/g) ?? [];
const POSITIVE = {
  actionname: 'Process started',
  PARENTPROCESSNAME: 'C:\\Windows\\System32\\dns.exe',
  PROCESSNAME: 'C:\\Windows\\System32\\cmd.exe',
  HOSTNAME: 'DNS01.corp.example',
};

function nativeVerdicts(events, config = {}) {
  let bin = process.env.DNSCHILD_VERDICTS;
  if (!bin) {
    execFileSync('cargo', ['build', '--quiet', '--release', '--example', 'verdicts'], { cwd: repo, stdio: 'inherit' });
    bin = `${repo}target/release/examples/verdicts`;
  }
  const out = execFileSync(bin, [JSON.stringify(config)], { input: JSON.stringify(events), maxBuffer: 1 << 30 });
  return JSON.parse(out);
}

async function raw(d, events) {
  const out = [];
  for (const e of events) out.push(await d.evaluateRaw(e));
  return out;
}

test('samples give their verdicts', async () => {
  const d = await Detector.create();
  const alerts = await d.evaluateBatch(lines(`${repo}samples/positives.ndjson`));
  assert.equal(alerts.length, 19);
  assert.ok(alerts.every((a) => a?.rule?.id === 'dnschild-0001'));
  const negatives = lines(`${repo}samples/negatives.ndjson`);
  assert.deepEqual(await d.evaluateBatch(negatives), negatives.map(() => null));
  const xml = [...xmlEvents(`${repo}samples/sysmon.xml`), ...xmlEvents(`${repo}samples/security-4688.xml`)];
  const got = await raw(d, xml);
  assert.deepEqual(got, nativeVerdicts(xml));
  assert.equal(got.filter((g) => g !== null).length, 3);
  const a = await d.evaluate(POSITIVE);
  assert.equal(a.process_name, 'C:\\Windows\\System32\\cmd.exe');
  assert.equal(a.shape, 'log360');
  assert.equal('user_name' in a, false, 'absent fields are absent');
  await d.close();
});

test('synthetic cases match the native core under every profile', { skip: !haveCorpus }, async () => {
  const cases = lines(`${corpus}/synthetic_dns_child_cases.jsonl`).map((l) => JSON.parse(l));
  const texts = cases.map((c) => (typeof c.event === 'string' ? c.event : JSON.stringify(c.event)));
  for (const profile of ['seed', 'sigma-cve-2020-1350', 'elastic', 'hardened']) {
    const d = await Detector.create({ config: { profile } });
    const got = await raw(d, texts);
    assert.deepEqual(got, nativeVerdicts(texts, { profile }), profile);
    if (profile === 'seed') {
      assert.deepEqual(got.map((g) => g !== null), cases.map((c) => c.expect.dnschild_default));
    }
    await d.close();
  }
});

test('real events match the native core', { skip: !haveCorpus }, async () => {
  const events = [];
  for (const src of ['evtx_attack_samples', 'evtx_to_mitre_attack', 'sigma_regression']) {
    events.push(...lines(`${corpus}/${src}.proc_creation.evtxrs.jsonl`));
    events.push(...lines(`${corpus}/${src}.proc_creation.fluentbit_winevtlog_sim.jsonl`));
    events.push(...xmlEvents(`${corpus}/${src}.proc_creation.xml`));
  }
  events.push(...lines(`${corpus}/otrf_security_datasets.proc_creation.nxlog.jsonl`));
  assert.equal(events.length, 3 * (1531 + 1214 + 149) + 1819);
  const d = await Detector.create();
  assert.deepEqual(await d.evaluateBatch(events), events.map(() => null));
  const mutated = events.filter((e) => e.includes('"ParentImage":"'))
    .map((e) => e.replace('"ParentImage":"', '"ParentImage":"C:\\\\Windows\\\\System32\\\\dns.exe","was":"'));
  const got = await raw(d, mutated);
  assert.deepEqual(got, nativeVerdicts(mutated));
  assert.ok(got.filter((g) => g !== null).length > 1000);
  await d.close();
});

test('errors are typed and the plugin stays usable', async () => {
  const d = await Detector.create();
  const cases = [
    ['{"ParentImage":"dns.exe",', 'malformed_json'],
    ['[1,2]', 'not_an_object'],
    [`{"ParentImage":"dns.exe","a":${'['.repeat(100000)}${']'.repeat(100000)}}`, 'too_deep'],
    [`{"ParentImage":"dns.exe","pad":"${'x'.repeat(10 << 20)}"}`, 'too_large'],
  ];
  for (const [event, kind] of cases) {
    await assert.rejects(d.evaluate(event), (e) => e instanceof EventError && e.kind === kind);
    assert.notEqual(await d.evaluate(POSITIVE), null);
  }
  await assert.rejects(d.configure({ profile: 'strict' }), (e) => e instanceof ConfigError && e.key === 'profile');
  await d.configure({ profile: 'hardened', output: 'ocsf' });
  const a = await d.evaluate({ ...POSITIVE, PROCESSNAME: 'C:\\Users\\Public\\conhost.exe' });
  assert.equal(a.class_uid, 2004);
  const info = await d.ruleInfo();
  assert.deepEqual(info.mitigations.map((m) => m.id), ['M1042', 'M1035', 'M1032', 'M1030']);
  await d.close();
});

/** What a caller checks per result: the alert's host, null, or the error's kind. */
const shape = (r) => (r instanceof EventError ? ['error', r.kind] : r === null ? null : ['alert', r.hostname]);

/** POSITIVE as bytes with a byte 0xff inside its HOSTNAME value. */
function invalidUtf8Positive() {
  const [head, tail] = JSON.stringify(POSITIVE).split('DNS01');
  return Buffer.concat([Buffer.from(`${head}DNS`), Buffer.from([0xff]), Buffer.from(`01${tail}`)]);
}

test('bytes are UTF-8 events; invalid UTF-8 is a typed invalid_utf8 error, in a batch for that event alone', async () => {
  const d = await Detector.create();
  const bytes = Buffer.from(JSON.stringify(POSITIVE));
  assert.equal((await d.evaluate(bytes)).hostname, 'DNS01.corp.example');
  assert.equal((await d.evaluate(new Uint8Array(bytes))).hostname, 'DNS01.corp.example');
  assert.deepEqual((await d.evaluateBatch([bytes])).map(shape), [['alert', 'DNS01.corp.example']]);
  await assert.rejects(d.evaluate(Buffer.from([0xff])), (e) => e instanceof EventError && e.kind === 'invalid_utf8'
    && e.detail === 'the event bytes are not valid UTF-8');
  const got = await d.evaluateBatch([Buffer.from([0xff]), '{}', invalidUtf8Positive(), bytes, null, 42]);
  assert.deepEqual(got.map(shape), [
    ['error', 'invalid_utf8'], null, ['error', 'invalid_utf8'], ['alert', 'DNS01.corp.example'],
    ['error', 'invalid_input'], ['error', 'invalid_input'],
  ]);
  await d.close();
});

test('a batch gives one result per event, empty events and events with line breaks included', async () => {
  const d = await Detector.create();
  const p = JSON.stringify(POSITIVE);
  assert.deepEqual((await d.evaluateBatch([p, '', ''])).map(shape), [['alert', 'DNS01.corp.example'], ['error', 'empty'], ['error', 'empty']]);
  assert.deepEqual((await d.evaluateBatch([''])).map(shape), [['error', 'empty']]);
  assert.deepEqual(await d.evaluateBatch([]), []);
  const xml = xmlEvents(`${repo}samples/security-4688.xml`)[0]; // an alert; made to span lines
  const multi = xml.replace('><EventData>', '>\r\n<EventData>').replaceAll('</Data><', '</Data>\n  <');
  const events = ['', p, '\n', JSON.stringify(POSITIVE, null, 2), '', multi, `${p}\r\n`, '  ', p, '', '\r', ''];
  const got = await d.evaluateBatch(events);
  assert.equal(got.length, events.length);
  const oneByOne = [];
  for (const e of events) oneByOne.push(await d.evaluate(e).then(shape, shape));
  assert.deepEqual(got.map(shape), oneByOne);
  assert.deepEqual(oneByOne.map((s) => s?.[0] ?? null),
    ['error', 'alert', 'error', 'alert', 'error', 'alert', 'alert', 'error', 'alert', 'error', 'error', 'error']);
  await d.close();
});

test('scan.mjs: a line that is not UTF-8 is an invalid_utf8 error of its own, as in dnschild scan: exit 3', () => {
  const dir = mkdtempSync(`${tmpdir()}/dnschild-extism-scan-`);
  const file = `${dir}/utf8.ndjson`;
  writeFileSync(file, Buffer.concat([Buffer.from(`${JSON.stringify(POSITIVE)}\n`), invalidUtf8Positive(), Buffer.from('\n')]));
  const script = fileURLToPath(new URL('../scan.mjs', import.meta.url));
  const r = spawnSync(process.execPath, ['--no-warnings', script, file], { encoding: 'utf8' });
  assert.equal(r.status, 3, r.stderr);
  const out = r.stdout.split('\n').filter(Boolean);
  assert.deepEqual(out.map((l) => JSON.parse(l).hostname), ['DNS01.corp.example']);
  assert.equal(r.stderr, `dnschild: ${file} line 2: invalid_utf8: the event bytes are not valid UTF-8\n`
    + 'dnschild: 2 event(s), 1 alert(s), 1 error(s) (invalid_utf8: 1)\n');
});

test('memory stays flat over 100,000 calls, and the configuration survives resets', async () => {
  const d = await Detector.create({ resetEvery: 1000 });
  await d.configure({ output: 'ecs' });
  const event = JSON.stringify(POSITIVE);
  for (let i = 0; i < 5000; i++) await d.evaluateRaw(event);
  global.gc?.();
  const before = process.memoryUsage().rss;
  for (let i = 0; i < 100000; i++) {
    const out = await d.evaluateRaw(event);
    if (i % 10000 === 0) assert.equal(JSON.parse(out).event.kind, 'alert', 'still ECS after resets');
  }
  global.gc?.();
  const grown = (process.memoryUsage().rss - before) / 1024;
  assert.ok(grown < 32 * 1024, `RSS grew ${grown} KiB over 100,000 calls`);
  await d.close();
});

test('without resets @extism/extism 1.0.3 fails near call 16,383 (why Detector resets)', async () => {
  const d = await Detector.create({ resetEvery: Number.MAX_SAFE_INTEGER });
  const event = JSON.stringify(POSITIVE);
  let failedAt = null;
  for (let i = 1; i <= 20000 && failedAt === null; i++) {
    try { await d.evaluateRaw(event); } catch { failedAt = i; }
  }
  assert.ok(failedAt !== null && failedAt > 8000 && failedAt <= 16384, `failed at ${failedAt}`);
  await d.close();
});
