// Types of the dnschild package (the same for the Node entry and the browser entry).

/** Which children of dns.exe are expected and excluded. */
export type Profile = 'seed' | 'sigma-cve-2020-1350' | 'elastic' | 'hardened';

/** How alerts are rendered: dnschild's own document, Elastic Common Schema, or OCSF 2004. */
export type OutputFormat = 'native' | 'ecs' | 'ocsf';

/** The log shape an event was recognised as. */
export type Shape =
  | 'event_xml' | 'evtx_json' | 'winlogbeat' | 'ecs' | 'fluentbit_winevtlog' | 'fluentbit_winevtlog_map'
  | 'fluentbit_winevtlog_xml' | 'fluentbit_winlog' | 'nxlog_json' | 'splunk_raw' | 'splunk_cim'
  | 'ocsf_process_activity' | 'log360';

/** Approved activity that must not alert. Each list is "any of". */
export interface Allowlist {
  /** Child images: full paths (any Windows spelling) or bare file names matching any folder. */
  child_images?: string[];
  /** Command-line substrings, ASCII case-insensitive. */
  command_line_contains?: string[];
  /** Host names; an entry without a dot also matches the first label of a fully qualified name. */
  hosts?: string[];
  /** Parent image paths (a dns.exe at an approved location). */
  parent_images?: string[];
}

/** A configuration document; every key is optional. */
export interface Config {
  /** Default `seed`. */
  profile?: Profile;
  /** Default `native`. */
  output?: OutputFormat;
  /** Largest event accepted, in bytes (default 1 MiB). */
  max_event_bytes?: number;
  /** Deepest JSON/XML nesting accepted (default 64). */
  max_depth?: number;
  /** Most JSON values (keys not counted) or XML elements accepted in one event (default 10,000). */
  max_fields?: number;
  allowlist?: Allowlist;
}

/** The configuration in force, every key filled in. */
export type ResolvedConfig = Required<Omit<Config, 'allowlist'>> & { allowlist: Required<Allowlist> };

/** One condition of the rule and the event field that satisfied it. */
export interface Reason {
  /** The condition, in words. */
  condition: string;
  /** The source field, e.g. `EventData.ParentImage` (`-` when none applies). */
  field: string;
  /** The field's value as logged. */
  value: string;
}

/** A MITRE ATT&CK tactic or technique. */
export interface AttackRef {
  id: string;
  name: string;
}

/** An alert in the `native` output format. Seed fields the event does not carry are absent. */
export interface NativeAlert {
  rule: { id: string; uuid: string; name: string; version: string };
  /** The seed's "Trouble": score 73, ECS `high`, OCSF severity_id 4. */
  severity: { label: string; score: number; ecs: string; ocsf_id: number };
  mitre: { tactics: AttackRef[]; techniques: AttackRef[] };
  hostname?: string;
  message?: string;
  command_line?: string;
  file_name?: string;
  process_name?: string;
  user_name?: string;
  parent_process_name?: string;
  /** The event time as the log wrote it. */
  event_time?: string;
  shape: Shape;
  profile: Profile;
  /** FNV-1a 64 of the event text (16 hex digits), for de-duplication. */
  fingerprint: string;
  /** One entry per condition of the rule. */
  explanation: Reason[];
  /** Context for the analyst, e.g. a conhost.exe outside System32. */
  notes: string[];
}

/** An alert in the `ecs` output format (the main keys; see the golden file for all). */
export interface EcsAlert {
  '@timestamp'?: string;
  event: { kind: 'alert'; severity: number; risk_score: number; id: string; [key: string]: unknown };
  rule: { id: string; name: string; ruleset: Profile; [key: string]: unknown };
  threat: { framework: string; [key: string]: unknown };
  process: Record<string, unknown>;
  [key: string]: unknown;
}

/** An alert in the `ocsf` output format: a Detection Finding (class_uid 2004). */
export interface OcsfAlert {
  class_uid: 2004;
  severity_id: number;
  finding_info: { uid: string; title: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** An alert in whichever output format is configured. */
export type Alert = NativeAlert | EcsAlert | OcsfAlert;

/** Why an event does or does not alert. */
export type Explanation =
  /** The rule matched: the native alert (for display) and the text in the configured format. */
  | { verdict: 'alert'; alert: NativeAlert; rendered: string }
  /** A recognised process event that did not match; `reason` is stable, `detail` is prose. */
  | {
      verdict: 'no_alert';
      shape: Shape;
      reason: 'not_process_start' | 'no_parent' | 'parent_not_dns' | 'parent_excluded' | 'child_excluded' | 'allowlisted';
      detail: string;
    }
  /** The event cannot name dns.exe, so it was not parsed. */
  | { verdict: 'fast_reject' }
  /** Well-formed, but not a Windows process event of a known shape. */
  | { verdict: 'unrecognised' };

/** A mitigation or standards reference in the rule's documentation. */
export interface Reference {
  id: string;
  name?: string;
  framework?: string;
  description: string;
}

/** The rule's documentation, as returned by `ruleInfo()`. */
export interface RuleInfo {
  id: string;
  uuid: string;
  name: string;
  version: string;
  description: string;
  author: string;
  severity: { label: string; score: number; ecs: string; ocsf_id: number; ocsf: string; syslog: number };
  tactics: (AttackRef & { reference: string })[];
  techniques: (AttackRef & { reference: string })[];
  false_positives: string[];
  next_steps: string[];
  mitigations: Reference[];
  standards: Reference[];
  references: string[];
  profiles: Profile[];
}

/** Why an event could not be evaluated. */
export type EventErrorKind =
  | 'too_large' | 'invalid_utf8' | 'empty' | 'unknown_format' | 'not_an_object' | 'too_deep'
  | 'too_many_fields' | 'malformed_json' | 'malformed_xml'
  /** The value given was not a string, bytes or a JSON-serialisable object. */
  | 'invalid_input';

/** Anything that can be evaluated: event text (JSON or Windows event XML), UTF-8 bytes, or an object. */
export type EventInput = string | ArrayBuffer | ArrayBufferView | object;

/** Base class of every error dnschild throws. */
export class DnschildError extends Error {
  /** A stable short name: an EventErrorKind, `config`, or `not_initialized`. */
  readonly kind: string;
}

/** One event could not be evaluated; other events are unaffected. */
export class DnschildEventError extends DnschildError {
  readonly kind: EventErrorKind;
}

/** A configuration was refused; the previous configuration stays in force. */
export class DnschildConfigError extends DnschildError {
  readonly kind: 'config';
  /** The dotted key refused, e.g. `allowlist.hosts` (`""` for the whole document). */
  readonly key: string;
}

/** One configured rule. Keep one per configuration and call it many times. */
export class Detector {
  /** @throws DnschildConfigError */
  constructor(config?: Config | string);
  /** Replaces the configuration. @throws DnschildConfigError */
  configure(config: Config | string): void;
  /** The configuration in force. */
  readonly config: ResolvedConfig;
  /**
   * The alert, or null. The type parameter names the configured output format's alert
   * (native by default): `evaluate<EcsAlert>(e)` after `configure({ output: 'ecs' })`.
   * @throws DnschildEventError
   */
  evaluate<A extends Alert = NativeAlert>(event: EventInput): A | null;
  /** The alert as the exact JSON text the core rendered, or null. @throws DnschildEventError */
  evaluateRaw(event: EventInput): string | null;
  /** One entry per event, in order; errors are returned in place, not thrown. */
  evaluateBatch<A extends Alert = NativeAlert>(events: Iterable<EventInput>): (A | null | DnschildEventError)[];
  /** Why the event does or does not alert. @throws DnschildEventError */
  explain(event: EventInput): Explanation;
  /** Frees the WebAssembly memory now rather than when the object is collected. */
  free(): void;
}

/**
 * Loads the WebAssembly module (browser: fetches the .wasm beside the package unless
 * `source` says otherwise; Node: already done at import). Call once before anything else.
 */
export function init(source?: URL | string | Response | BufferSource | WebAssembly.Module): Promise<void>;

/** The alert for one event under the shared configuration, or null (see Detector#evaluate). @throws DnschildEventError */
export function evaluate<A extends Alert = NativeAlert>(event: EventInput): A | null;
/** The exact rendered alert text, or null. @throws DnschildEventError */
export function evaluateRaw(event: EventInput): string | null;
/** Many events under the shared configuration; errors are returned in place. */
export function evaluateBatch<A extends Alert = NativeAlert>(events: Iterable<EventInput>): (A | null | DnschildEventError)[];
/** Why an event does or does not alert. @throws DnschildEventError */
export function explain(event: EventInput): Explanation;
/** Replaces the shared configuration. @throws DnschildConfigError */
export function configure(config: Config | string): void;
/** The shared configuration in force. */
export function currentConfig(): ResolvedConfig;
/** The rule's documentation. */
export function ruleInfo(): RuleInfo;
