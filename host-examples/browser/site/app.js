// The playground page: a live verdict for the event in the editor (on the main thread: one
// event takes microseconds), and file scans in a Web Worker (scan-worker.js).

import { Detector, init, ruleInfo } from './dnschild/web.js';
import { SAMPLES } from './samples.js';
import { alertRow, el, fill, showCard } from './view.js';

const $ = (id) => document.getElementById(id);
const ALLOW_KEYS = ['child_images', 'command_line_contains', 'hosts', 'parent_images'];
const MAX_ROWS = 500;

let detector = null;
let config = { profile: 'seed', output: 'native', allowlist: {} };

/** The configuration the settings panel describes. */
function readConfig() {
  const allowlist = {};
  for (const key of ALLOW_KEYS) {
    const entries = $(`allow-${key}`).value.split('\n').map((s) => s.trim()).filter(Boolean);
    if (entries.length) allowlist[key] = entries;
  }
  return { profile: $('profile').value, output: $('output').value, allowlist };
}

function setVerdict(kind, text) {
  const v = $('verdict');
  v.dataset.verdict = kind;
  v.textContent = text;
}

/** Evaluates the editor's text and shows the verdict, the card and the raw JSON. */
function evaluateEditor() {
  const text = $('event').value;
  $('card').hidden = true;
  $('raw').textContent = '';
  $('copy').disabled = true;
  $('copy-status').textContent = '';
  if (!text.trim()) {
    setVerdict('pending', 'Paste or pick an event to see its verdict.');
    return;
  }
  let x;
  try {
    x = detector.explain(text);
  } catch (err) {
    setVerdict('error', `Cannot evaluate — ${err.kind}: ${err.message}`);
    return;
  }
  if (x.verdict === 'alert') {
    const a = x.alert;
    setVerdict('alert', `ALERT — ${a.process_name ?? a.file_name ?? 'a process'} started by ${a.parent_process_name}`);
    showCard($('card'), a);
    $('raw').textContent = JSON.stringify(JSON.parse(x.rendered), null, 2);
    $('copy').disabled = false;
  } else if (x.verdict === 'no_alert') {
    setVerdict('no_alert', `No alert — ${x.detail} (shape ${x.shape}, reason ${x.reason})`);
  } else if (x.verdict === 'fast_reject') {
    setVerdict('fast_reject', 'No alert — the event never names dns.exe, so it was not even parsed');
  } else {
    setVerdict('unrecognised', 'No alert — well-formed, but not a Windows process event of a shape dnschild knows');
  }
}

/** Applies the settings panel: on a refusal the previous configuration stays. */
function applySettings() {
  const next = readConfig();
  try {
    const d = new Detector(next);
    detector?.free();
    detector = d;
    config = next;
    $('config-error').hidden = true;
  } catch (err) {
    $('config-error').textContent = `Setting refused (${err.key || 'configuration'}): ${err.message}`;
    $('config-error').hidden = false;
    return;
  }
  $('raw-format').textContent = config.output;
  evaluateEditor();
  worker.postMessage({ type: 'config', config });
}

// ---- samples and editor ----

function fillSamples() {
  const groups = new Map();
  for (const [i, s] of SAMPLES.entries()) {
    if (!groups.has(s.group)) groups.set(s.group, el('optgroup', null, { label: s.group }));
    groups.get(s.group).append(el('option', s.label, { value: String(i) }));
  }
  fill($('sample'), ...groups.values());
}

function pickSample() {
  $('event').value = SAMPLES[Number($('sample').value)].text;
  evaluateEditor();
}

let pending = 0;
$('event').addEventListener('input', () => {
  clearTimeout(pending);
  pending = setTimeout(evaluateEditor, 40);
});
$('sample').addEventListener('change', pickSample);
$('copy').addEventListener('click', async () => {
  const text = $('raw').textContent;
  try {
    await navigator.clipboard.writeText(text);
    $('copy-status').textContent = 'Copied.';
  } catch {
    getSelection().selectAllChildren($('raw'));
    $('copy-status').textContent = document.execCommand('copy') ? 'Copied.' : 'Selected: press Ctrl+C to copy.';
  }
});
for (const id of ['profile', 'output']) $(id).addEventListener('change', applySettings);
for (const key of ALLOW_KEYS) $(`allow-${key}`).addEventListener('input', applySettings);

// ---- file scans ----

const worker = new Worker(new URL('./scan-worker.js', import.meta.url), { type: 'module' });
let scanId = 0;
let rowsShown = 0;

function showCounts(c) {
  const errors = Object.values(c.errors).reduce((a, b) => a + b, 0);
  $('count-events').textContent = c.events.toLocaleString('en');
  $('count-alerts').textContent = c.alerts.toLocaleString('en');
  $('count-clean').textContent = c.clean.toLocaleString('en');
  $('count-errors').textContent = errors.toLocaleString('en');
  $('error-kinds').textContent = errors
    ? `Errors by kind: ${Object.entries(c.errors).map(([k, n]) => `${k} ${n}`).join(', ')}` : '';
}

worker.onmessage = ({ data: m }) => {
  if (m.type === 'loaded') {
    scanId = m.id;
    $('scan-status').textContent = `Scanning ${m.name} (${m.format}, ${m.total.toLocaleString('en')} events)…`;
  }
  if (m.id !== undefined && m.id < scanId) return; // a superseded scan
  if (m.type === 'progress') {
    if (m.first) {
      scanId = m.id;
      rowsShown = 0;
      fill($('alerts').tBodies[0]);
    }
    $('cancel').disabled = false;
    $('progress').max = m.total || 1;
    $('progress').value = m.done;
    const rows = m.rows.slice(0, MAX_ROWS - rowsShown);
    rowsShown += rows.length;
    $('alerts').tBodies[0].append(...rows.map(alertRow));
    showCounts(m.counts);
    $('scan').dataset.state = 'scanning';
  } else if (m.type === 'done') {
    $('cancel').disabled = true;
    showCounts(m.counts);
    const shown = m.counts.alerts > MAX_ROWS ? ` (the first ${MAX_ROWS} are listed)` : '';
    $('alerts-caption').textContent = `Alerts: ${m.counts.alerts.toLocaleString('en')}${shown}`;
    $('scan-status').textContent = `${m.name}: ${m.counts.events.toLocaleString('en')} events in ${m.ms} ms, profile ${config.profile}.`;
    $('scan').dataset.state = 'done';
  } else if (m.type === 'cancelled') {
    scanId = m.id;
    $('cancel').disabled = true;
    $('scan-status').textContent = 'Scan cancelled.';
    $('scan').dataset.state = 'cancelled';
  } else if (m.type === 'failed') {
    $('scan-status').textContent = `Scan failed — ${m.kind}: ${m.message}`;
    $('scan').dataset.state = 'failed';
  }
};

function scanFile(file) {
  if (!file) return;
  $('scan').dataset.state = 'loading';
  $('scan-status').textContent = `Reading ${file.name}…`;
  worker.postMessage({ type: 'scan', file });
}

$('file').addEventListener('change', () => scanFile($('file').files[0]));
$('cancel').addEventListener('click', () => worker.postMessage({ type: 'cancel' }));
const drop = $('drop');
drop.addEventListener('dragover', (e) => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', (e) => {
  e.preventDefault();
  drop.classList.remove('over');
  scanFile(e.dataTransfer.files[0]);
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && !$('cancel').disabled) worker.postMessage({ type: 'cancel' });
});

// ---- start ----

await init();
const info = ruleInfo();
$('rule-summary').textContent = `${info.name} (${info.id}): ${info.description}`;
$('rule-version').textContent = info.version;
detector = new Detector(config);
fillSamples();
pickSample();
document.body.dataset.ready = 'true';
