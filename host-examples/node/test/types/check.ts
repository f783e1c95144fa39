// Compiled (not run) by types.test.mjs: how TypeScript code uses the package. Every
// `@ts-expect-error` line must be an error, so the types can be neither missing nor too loose.

import {
  Detector, DnschildConfigError, DnschildEventError, configure, evaluate, evaluateBatch, explain, init, ruleInfo,
  type Alert, type Config, type EcsAlert, type EventErrorKind, type NativeAlert,
} from 'dnschild';

export async function usage(text: string): Promise<string[]> {
  await init();
  const out: string[] = [];
  const config: Config = { profile: 'hardened', output: 'native', allowlist: { hosts: ['DNS01'] } };
  configure(config);
  const native: NativeAlert | null = evaluate(text);
  if (native !== null) {
    out.push(native.shape, native.severity.label, native.process_name ?? '-');
    for (const r of native.explanation) out.push(`${r.condition}: ${r.field}=${r.value}`);
  }
  const x = explain({ EventID: 1 });
  if (x.verdict === 'no_alert') out.push(x.reason, x.shape);
  if (x.verdict === 'alert') out.push(x.alert.fingerprint, x.rendered);
  for (const r of evaluateBatch([text, { a: 1 }, new Uint8Array(2)])) {
    if (r instanceof DnschildEventError) {
      const kind: EventErrorKind = r.kind;
      out.push(kind);
    }
  }
  const ecs = new Detector({ output: 'ecs' }).evaluate<EcsAlert>(text);
  if (ecs !== null) out.push(ecs.event.kind, ecs.rule.ruleset);
  const any: Alert | null = evaluate<Alert>(text);
  if (any !== null) out.push(JSON.stringify(any));
  try {
    new Detector({ profile: 'seed' }).configure('{"output":"ecs"}');
  } catch (e) {
    if (e instanceof DnschildConfigError) out.push(e.key, e.kind);
  }
  out.push(ruleInfo().mitigations[0].id, new Detector().config.allowlist.hosts.join());
  return out;
}

// @ts-expect-error: not a profile
configure({ profile: 'strict' });
// @ts-expect-error: not an output format
const badOutput: Config = { output: 'xml' };
// @ts-expect-error: allowlist entries are strings
configure({ allowlist: { hosts: [1] } });
// @ts-expect-error: not an event input
evaluate(42);
// @ts-expect-error: a config error's kind is always "config"
const badKind: DnschildConfigError['kind'] = 'malformed_json';
// @ts-expect-error: explain's verdicts are a closed set
if (explain('{}').verdict === 'maybe') out();
declare function out(): void;
export { badKind, badOutput };
