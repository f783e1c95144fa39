// The WIT component itself (dist/dnschild.component.wasm) in Node through jco: the same
// verdicts, byte for byte, as the wasm-bindgen package and the native core.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Detector, DnschildEventError } from '../../../dist/js/node.js';
import { rule } from '../../../target/jco/dnschild.js';
import {
  PROFILES, haveCorpus, mutateToDnsParent, nativeVerdicts, realEvents, samples, syntheticCases,
} from '../../../bindings/js/test/support.mjs';

/** A WIT event-error (`{ tag: 'malformed-json', val }`) as the core's kind name. */
const kindOf = (payload) => payload.tag.replaceAll('-', '_');

/** The component's verdict: the rendered alert, null, or { error: kind }. */
function viaJco(event) {
  try {
    const alert = rule.evaluate(event);
    return alert === undefined || alert === null ? null : alert.rendered;
  } catch (err) {
    assert.ok(err.payload?.tag, `not a WIT event-error: ${err}`);
    return { error: kindOf(err.payload) };
  }
}

function viaBindgen(detector, event) {
  try {
    return detector.evaluateRaw(event);
  } catch (err) {
    if (!(err instanceof DnschildEventError)) throw err;
    return { error: err.kind };
  }
}

/** Holds jco, wasm-bindgen and native to the same verdicts on `events` under `profile`. */
function sameEverywhere(events, profile) {
  rule.configureJson(JSON.stringify({ profile }));
  const d = new Detector({ profile });
  const jco = events.map(viaJco);
  assert.deepEqual(jco, nativeVerdicts(events, { profile }), `jco vs native (${profile})`);
  assert.deepEqual(events.map((e) => viaBindgen(d, e)), jco, `wasm-bindgen vs jco (${profile})`);
  d.free();
  return jco;
}

test('samples: jco, wasm-bindgen and native agree under every profile', () => {
  const { positives, negatives, xml } = samples();
  const events = [...positives, ...negatives, ...xml];
  for (const profile of PROFILES) {
    const got = sameEverywhere(events, profile);
    if (profile === 'seed') assert.equal(got.filter((g) => g !== null).length, 19 + 3);
  }
  rule.configureJson('{}');
  const batch = rule.evaluateBatch(positives);
  assert.deepEqual(batch.map((r) => r.tag), positives.map(() => 'ok'));
  assert.deepEqual(batch.map((r) => r.val.rendered), positives.map(viaJco));
  const a = rule.evaluate(positives[0]);
  assert.deepEqual(a.tactics, ['TA0001', 'TA0003']);
  assert.equal(a.severityScore, 73);
});

test('errors: the same kinds from jco, wasm-bindgen and native', () => {
  const events = [
    '{"ParentImage":"dns.exe",', '<Event><EventData><Data>dns.exe', '[1]', '', 'plain dns.exe text',
    `{"ParentImage":"dns.exe","a":${'['.repeat(1000)}${']'.repeat(1000)}}`,
    `{"ParentImage":"dns.exe","pad":"${'x'.repeat(2 << 20)}"}`,
  ];
  const got = sameEverywhere(events, 'seed');
  assert.deepEqual(got.map((g) => g.error), [
    'malformed_json', 'malformed_xml', 'not_an_object', 'empty', 'unknown_format', 'too_deep', 'too_large',
  ]);
  assert.throws(() => rule.configureJson('{"profile":"strict"}'), (e) => e.payload.key === 'profile');
});

test('synthetic cases: the same verdicts under every profile', { skip: !haveCorpus }, () => {
  const cases = syntheticCases();
  for (const profile of PROFILES) {
    const got = sameEverywhere(cases.map((c) => c.text), profile);
    if (profile === 'seed') assert.deepEqual(got.map((g) => g !== null), cases.map((c) => c.expect.dnschild_default));
  }
});

test('real events: no alert; with dns.exe as parent, the same alerts', { skip: !haveCorpus }, () => {
  const events = realEvents();
  rule.configureJson('{}');
  assert.deepEqual(events.map(viaJco), events.map(() => null));
  const got = sameEverywhere(mutateToDnsParent(events), 'seed');
  assert.ok(got.filter((g) => typeof g === 'string').length > 1000);
});
