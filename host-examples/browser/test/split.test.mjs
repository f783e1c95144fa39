// split.js: how the playground cuts a file into events (each event's text kept exactly).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decode, splitEvents } from '../site/split.js';

test('NDJSON, with CRLF and blank lines', () => {
  assert.deepEqual(splitEvents('{"a":1}\r\n\r\n{"b":"}"}\n{"c":\n'), { format: 'ndjson', events: ['{"a":1}', '{"b":"}"}', '{"c":'] });
});

test('a JSON array keeps each element as written', () => {
  assert.deepEqual(splitEvents('[ {"a": [1, {"x":"]"}]},\n  {"b":"\\"}"} , 7 ]'),
    { format: 'json-array', events: ['{"a": [1, {"x":"]"}]}', '{"b":"\\"}"}', '7'] });
});

test('pretty-printed objects one after another; an unterminated one is kept to be reported', () => {
  assert.deepEqual(splitEvents('{\n  "a": 1\n}\n{\n  "b": "{"\n}\n{\n "c"'),
    { format: 'json-stream', events: ['{\n  "a": 1\n}', '{\n  "b": "{"\n}', '{\n "c"'] });
});

test('event XML in a wrapper, and UTF-16 with a byte-order mark', () => {
  const xml = "<?xml version='1.0'?><Events><Event xmlns='x'><a/></Event>\n<Event><b/></Event></Events>";
  assert.deepEqual(splitEvents(xml), { format: 'xml', events: ["<Event xmlns='x'><a/></Event>", '<Event><b/></Event>'] });
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
  assert.equal(decode(utf16), xml);
  assert.deepEqual(splitEvents(' \n'), { format: 'empty', events: [] });
});
