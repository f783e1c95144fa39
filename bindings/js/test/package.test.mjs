// The wasm-bindgen package (dist/js/, Node entry): sample verdicts, exact parity with the
// native core on the samples and the corpus, typed errors, configuration and explanations.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  Detector, DnschildConfigError, DnschildError, DnschildEventError,
  configure, currentConfig, evaluate, evaluateBatch, evaluateRaw, explain, ruleInfo,
} from '../../../dist/js/node.js';
import {
  OUTPUTS, PROFILES, haveCorpus, mutateToDnsParent, nativeVerdicts, pkg, realEvents, samples, syntheticCases,
} from './support.mjs';

const POSITIVE = {
  actionname: 'Process started',
  PARENTPROCESSNAME: 'C:\\Windows\\System32\\dns.exe',
  PROCESSNAME: 'C:\\Windows\\System32\\cmd.exe',
  HOSTNAME: 'DNS01.corp.example',
};

/** What a host must return for `events`, as evaluateRaw gives it: text, null or { error }. */
function raw(detector, events) {
  return events.map((e) => {
    try {
      return detector.evaluateRaw(e);
    } catch (err) {
      if (!(err instanceof DnschildEventError)) throw err;
      return { error: err.kind };
    }
  });
}

test('samples give the verdicts and shapes samples/README.md lists', () => {
  const { positives, negatives, xml } = samples();
  const alerts = evaluateBatch(positives);
  assert.deepEqual(alerts.map((a) => a.shape), [
    'evtx_json', 'evtx_json', 'winlogbeat', 'ecs', 'ecs', 'fluentbit_winevtlog', 'fluentbit_winevtlog',
    'fluentbit_winevtlog', 'fluentbit_winevtlog', 'fluentbit_winevtlog_map', 'fluentbit_winevtlog_xml',
    'fluentbit_winlog', 'nxlog_json', 'nxlog_json', 'splunk_raw', 'splunk_cim', 'ocsf_process_activity',
    'log360', 'winlogbeat',
  ]);
  assert.ok(alerts.every((a) => a.rule.id === 'dnschild-0001' && a.severity.score === 73));
  assert.equal(alerts[3].hostname, 'dns03');
  assert.deepEqual(evaluateBatch(negatives), negatives.map(() => null));
  assert.deepEqual(xml.map((e) => evaluate(e) !== null), [true, false, true, false, true, false]);
  assert.equal(evaluate(xml[0]).parent_process_name, 'C:\\Windows\\System32\\&#x64;ns.exe'.replace('&#x64;', 'd'));
});

test('negatives explain themselves as samples/README.md says', () => {
  const got = samples().negatives.map((e) => {
    const x = explain(e);
    return x.verdict === 'no_alert' ? `${x.shape}:${x.reason}` : x.verdict;
  });
  assert.deepEqual(got, [
    'fast_reject', 'fast_reject', 'fluentbit_winevtlog:child_excluded', 'ecs:parent_not_dns',
    'winlogbeat:parent_not_dns', 'splunk_raw:parent_not_dns', 'evtx_json:not_process_start',
    'evtx_json:no_parent', 'ocsf_process_activity:not_process_start', 'log360:child_excluded', 'fast_reject',
  ]);
  const a = explain(POSITIVE);
  assert.equal(a.verdict, 'alert');
  assert.deepEqual(a.alert, JSON.parse(a.rendered));
  assert.deepEqual(a.alert.explanation.map((r) => r.field), ['actionname', 'PARENTPROCESSNAME', 'PROCESSNAME']);
  assert.deepEqual(explain('{"EventID":1,"Image":"x","ParentImage":"dns.exe","foo":1}').verdict, 'alert');
  assert.deepEqual(explain('{"hello":"dns.exe"}'), { verdict: 'unrecognised' });
});

test('samples match the native core byte for byte under every profile and output', () => {
  const { positives, negatives, xml } = samples();
  const events = [...positives, ...negatives, ...xml, JSON.stringify(POSITIVE)];
  for (const profile of PROFILES) {
    for (const output of OUTPUTS) {
      const d = new Detector({ profile, output });
      assert.deepEqual(raw(d, events), nativeVerdicts(events, { profile, output }), `${profile}/${output}`);
      d.free();
    }
  }
});

test('an object, its JSON text and its UTF-8 bytes give the same alert', () => {
  const text = JSON.stringify(POSITIVE);
  const [native] = nativeVerdicts([text]);
  assert.equal(evaluateRaw(POSITIVE), native);
  assert.equal(evaluateRaw(new TextEncoder().encode(text)), native);
  assert.equal(evaluateRaw(new TextEncoder().encode(text).buffer), native);
  assert.deepEqual(evaluate(text), JSON.parse(native));
  assert.equal('user_name' in evaluate(POSITIVE), false, 'a field the event lacks is absent');
});

test('synthetic cases match the native core under every profile', { skip: !haveCorpus }, () => {
  const cases = syntheticCases();
  assert.equal(cases.length, 50);
  const texts = cases.map((c) => c.text);
  for (const profile of PROFILES) {
    const d = new Detector({ profile });
    const got = raw(d, texts);
    assert.deepEqual(got, nativeVerdicts(texts, { profile }), profile);
    if (profile === 'seed') assert.deepEqual(got.map((g) => g !== null), cases.map((c) => c.expect.dnschild_default));
    d.free();
  }
});

test('real events give no alert, and with dns.exe as parent match the native core', { skip: !haveCorpus }, () => {
  const events = realEvents();
  assert.equal(events.length, 3 * (1531 + 1214 + 149) + 1819);
  for (const profile of PROFILES) {
    const d = new Detector({ profile });
    assert.deepEqual(d.evaluateBatch(events), events.map(() => null), profile);
    d.free();
  }
  const mutated = mutateToDnsParent(events);
  const d = new Detector();
  const got = raw(d, mutated);
  assert.deepEqual(got, nativeVerdicts(mutated));
  assert.ok(got.filter((g) => typeof g === 'string').length > 1000);
});

test('bad events throw DnschildEventError with the kind, and nothing breaks', () => {
  const cyclic = {};
  cyclic.self = cyclic;
  const cases = [
    ['{"ParentImage":"dns.exe",', 'malformed_json'],
    ['<Event><System><EventID>1</EventID></System><EventData><Data Name="ParentImage">dns.exe</Data>', 'malformed_xml'],
    ['[1,2]', 'not_an_object'],
    [[1, 2], 'not_an_object'],
    ['', 'empty'],
    ['   \n', 'empty'],
    ['dns.exe started cmd.exe', 'unknown_format'],
    [`{"ParentImage":"dns.exe","a":${'['.repeat(100000)}${']'.repeat(100000)}}`, 'too_deep'],
    [`${'<a>'.repeat(5000)}dns.exe${'</a>'.repeat(5000)}`, 'too_deep'],
    [`{"ParentImage":"dns.exe","pad":"${'x'.repeat(2 << 20)}"}`, 'too_large'],
    [new Uint8Array([0x7b, 0xff, 0x7d]), 'invalid_utf8'],
    [42, 'invalid_input'],
    [undefined, 'invalid_input'],
    [null, 'invalid_input'],
    [cyclic, 'invalid_input'],
    [{ n: 1n }, 'invalid_input'],
  ];
  const d = new Detector();
  for (const [event, kind] of cases) {
    assert.throws(() => d.evaluate(event), (e) => e instanceof DnschildEventError && e instanceof DnschildError
      && e instanceof Error && e.name === 'DnschildEventError' && e.kind === kind && e.message.length > 0, kind);
    assert.throws(() => d.explain(event), (e) => e instanceof DnschildEventError && e.kind === kind, `explain ${kind}`);
    assert.equal(d.evaluate(POSITIVE).shape, 'log360', `usable after ${kind}`);
  }
  const batch = d.evaluateBatch(cases.map(([e]) => e).concat([POSITIVE]));
  assert.deepEqual(batch.map((r) => (r instanceof DnschildEventError ? r.kind : r?.shape)),
    cases.map(([, kind]) => kind).concat(['log360']));
  assert.throws(() => d.evaluate('{"ParentImage":"dns.exe",'), /malformed JSON: .* at byte 25/);
});

test('configuration: typed refusals name the key and keep the previous configuration', () => {
  const d = new Detector({ profile: 'hardened', output: 'ocsf' });
  const refused = [
    [{ profile: 'strict' }, 'profile'],
    [{ output: 'xml' }, 'output'],
    [{ allowlist: { host: ['x'] } }, 'allowlist.host'],
    [{ allowlist: { hosts: [''] } }, 'allowlist.hosts'],
    [{ allowlist: { hosts: 'DNS01' } }, 'allowlist.hosts'],
    [{ max_depth: 0 }, 'max_depth'],
    [{ max_fields: 1000001 }, 'max_fields'],
    [{ max_event_bytes: -1 }, 'max_event_bytes'],
    [{ colour: 'red' }, 'colour'],
    ['{"profile":', ''],
    ['[]', ''],
    [[], ''],
    [null, ''],
    [7, ''],
  ];
  for (const [config, key] of refused) {
    assert.throws(() => d.configure(config), (e) => e instanceof DnschildConfigError && e.kind === 'config'
      && e.key === key && e.name === 'DnschildConfigError', JSON.stringify(config) ?? String(config));
  }
  assert.equal(d.config.profile, 'hardened');
  assert.equal(d.evaluate({ ...POSITIVE, PROCESSNAME: 'C:\\Users\\Public\\conhost.exe' }).class_uid, 2004);
  assert.throws(() => d.configure({ allowlist: { host: [] } }), /unknown configuration key `allowlist.host`/);
  d.configure('{"allowlist":{"hosts":["DNS01"]}}');
  assert.deepEqual(d.config, {
    profile: 'seed', output: 'native', max_event_bytes: 1048576, max_depth: 64, max_fields: 10000,
    allowlist: { child_images: [], command_line_contains: [], hosts: ['DNS01'], parent_images: [] },
  });
  assert.equal(d.evaluate(POSITIVE), null, 'DNS01 matches DNS01.corp.example');
  assert.deepEqual(d.explain(POSITIVE), {
    verdict: 'no_alert', shape: 'log360', reason: 'allowlisted', detail: 'allowlist.hosts entry "DNS01" matched',
  });
  assert.throws(() => new Detector({ profile: 'nope' }), DnschildConfigError);
});

test('the shared detector: configure, currentConfig, ruleInfo', () => {
  try {
    configure({ output: 'ecs' });
    assert.equal(currentConfig().output, 'ecs');
    assert.equal(evaluate(POSITIVE).event.kind, 'alert');
    assert.notEqual(new Detector().evaluate(POSITIVE).rule.uuid, undefined, 'a new Detector has its own config');
  } finally {
    configure({});
  }
  const info = ruleInfo();
  assert.equal(info.id, 'dnschild-0001');
  assert.deepEqual(info.mitigations.map((m) => m.id), ['M1042', 'M1035', 'M1032', 'M1030']);
  assert.deepEqual(info.techniques.map((t) => t.id), ['T1133']);
  assert.deepEqual(info.profiles, PROFILES);
});

test('the web entry refuses calls before init() and works after it', () => {
  const script = `
    import { readFileSync } from 'node:fs';
    import * as m from ${JSON.stringify(`${pkg}web.js`)};
    const out = [];
    try { m.evaluate('{}'); } catch (e) { out.push(e.name + ':' + e.kind); }
    await m.init(readFileSync(${JSON.stringify(`${pkg}wasm/dnschild_js_bg.wasm`)}));
    out.push(m.evaluate(${JSON.stringify(JSON.stringify(POSITIVE))}).shape);
    console.log(JSON.stringify(out));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), ['DnschildError:not_initialized', 'log360']);
});
