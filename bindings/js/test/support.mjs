// Shared by the JavaScript tests (bindings/js/test, host-examples/node/test): where the
// repository, the package and the corpus are, how to split the samples into events, and
// the native core's verdicts (target/release/examples/verdicts) to hold every host to.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root, with a trailing slash. */
export const repo = fileURLToPath(new URL('../../../', import.meta.url));
/** The built package (make js). */
export const pkg = `${repo}dist/js/`;
/** The shared corpus: <repo>/../shared/corpus unless $DNSCHILD_CORPUS says otherwise. */
export const corpus = process.env.DNSCHILD_CORPUS ?? `${repo}../shared/corpus`;
/** Whether the corpus is here; under CI a missing corpus is a failure, not a skip. */
export const haveCorpus = existsSync(`${corpus}/synthetic_dns_child_cases.jsonl`);
if (!haveCorpus && process.env.CI) throw new Error(`CI is set but the corpus is missing at ${corpus}`);

export const PROFILES = ['seed', 'sigma-cve-2020-1350', 'elastic', 'hardened'];
export const OUTPUTS = ['native', 'ecs', 'ocsf'];

/** The non-blank lines of a file. */
export const lines = (p) => readFileSync(p, 'utf8').split('\n').filter((l) => l.trim());
/** The `<Event>` elements of an XML stream. */
export const xmlEvents = (p) => readFileSync(p, 'utf8').match(/<Event[ >][\s\S]*?<\/Event>/g) ?? [];

/** The sample events: positives, negatives and the events of both XML files. */
export function samples() {
  return {
    positives: lines(`${repo}samples/positives.ndjson`),
    negatives: lines(`${repo}samples/negatives.ndjson`),
    xml: [...xmlEvents(`${repo}samples/sysmon.xml`), ...xmlEvents(`${repo}samples/security-4688.xml`)],
  };
}

/** The 50 synthetic cases: `{ text, expect }` with the event as text. */
export function syntheticCases() {
  return lines(`${corpus}/synthetic_dns_child_cases.jsonl`).map((l) => {
    const c = JSON.parse(l);
    return { id: c.case, text: typeof c.event === 'string' ? c.event : JSON.stringify(c.event), expect: c.expect };
  });
}

/** Every real process-creation event of the corpus (none has dns.exe as parent). */
export function realEvents() {
  const events = [];
  for (const src of ['evtx_attack_samples', 'evtx_to_mitre_attack', 'sigma_regression']) {
    events.push(...lines(`${corpus}/${src}.proc_creation.evtxrs.jsonl`));
    events.push(...lines(`${corpus}/${src}.proc_creation.fluentbit_winevtlog_sim.jsonl`));
    events.push(...xmlEvents(`${corpus}/${src}.proc_creation.xml`));
  }
  events.push(...lines(`${corpus}/otrf_security_datasets.proc_creation.nxlog.jsonl`));
  return events;
}

/** Real events rewritten so that dns.exe is the parent: most of them must alert. */
export const mutateToDnsParent = (events) => events
  .filter((e) => e.includes('"ParentImage":"'))
  .map((e) => e.replace('"ParentImage":"', '"ParentImage":"C:\\\\Windows\\\\System32\\\\dns.exe","was":"'));

/** The native core's verdicts: the rendered alert text, null, or `{ error: kind }` per event. */
export function nativeVerdicts(events, config = {}) {
  let bin = process.env.DNSCHILD_VERDICTS;
  if (!bin) {
    execFileSync('cargo', ['build', '--quiet', '--release', '--example', 'verdicts'], { cwd: repo, stdio: 'inherit' });
    bin = `${repo}target/release/examples/verdicts`;
  }
  const out = execFileSync(bin, [JSON.stringify(config)], { input: JSON.stringify(events), maxBuffer: 1 << 30 });
  return JSON.parse(out);
}
