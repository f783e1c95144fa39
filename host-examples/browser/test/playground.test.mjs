// The playground (dist/playground, built by `make playground`) in headless Chromium: live
// verdicts, file scans, settings, hostile text, the clipboard, the keyboard, a narrow
// screen, and no request to anything but the page's own origin. Screenshots go to target/.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { open } from './browser.mjs';
import { benchEvents } from '../site/bench-events.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const site = process.env.DNSCHILD_PLAYGROUND ?? `${repo}dist/playground`;
const POSITIVE = JSON.stringify({
  actionname: 'Process started', PARENTPROCESSNAME: 'C:\\Windows\\System32\\dns.exe',
  PROCESSNAME: 'C:\\Windows\\System32\\cmd.exe', COMMANDLINE: 'cmd.exe /c whoami', HOSTNAME: 'DNS01.corp.example',
});
const NEGATIVE = readFileSync(`${repo}samples/negatives.ndjson`, 'utf8').split('\n')[2]; // N03: conhost.exe
const HOSTILE_CMD = '<img src=x onerror=alert(document.domain)><script>alert(1)</script>';
const HOSTILE = JSON.stringify({ ...JSON.parse(POSITIVE), COMMANDLINE: HOSTILE_CMD, HOSTNAME: '<b id=injected>DNS01</b>' });

let browser;
let page;
const foreign = [];
const problems = [];

before(async () => {
  browser = await open(site);
  browser.context.on('request', (r) => {
    if (!r.url().startsWith(`${browser.origin}/`)) foreign.push(r.url());
  });
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: browser.origin });
  page = browser.context.pages()[0] ?? await browser.context.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    d.dismiss();
  });
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(e.violatedDirective));
  });
  await page.goto(`${browser.origin}/`);
  await page.waitForSelector('body[data-ready=true]', { timeout: 15000 });
});

after(async () => {
  await browser?.close();
});

async function type(text) {
  await page.fill('#event', text);
  await page.waitForFunction((t) => document.querySelector('#event').value === t
    && document.querySelector('#verdict').dataset.verdict !== 'pending', text);
  await page.waitForTimeout(120); // the live verdict is debounced by 40 ms
  return page.$eval('#verdict', (v) => ({ kind: v.dataset.verdict, text: v.textContent }));
}

async function scan(path) {
  await page.$eval('#scan', (s) => { s.dataset.state = 'test-waiting'; });
  await page.setInputFiles('#file', path);
  await page.waitForSelector('#scan[data-state=done]', { timeout: 120000 });
  return page.$eval('#counts', () => Object.fromEntries(['events', 'alerts', 'clean', 'errors']
    .map((k) => [k, Number(document.querySelector(`#count-${k}`).textContent.replaceAll(',', ''))])));
}

test('the page loads its samples: every shape, the first one alerts', async () => {
  const labels = await page.$$eval('#sample option', (os) => os.map((o) => o.textContent));
  assert.equal(labels.length, 19 + 11 + 6);
  const shapes = new Set(labels.map((l) => l.split(' · ')[1]).filter((s) => !s.startsWith('fast') && !s.startsWith('unrec')));
  assert.deepEqual([...shapes].sort(), [
    'ecs', 'event_xml', 'evtx_json', 'fluentbit_winevtlog', 'fluentbit_winevtlog_map', 'fluentbit_winevtlog_xml',
    'fluentbit_winlog', 'log360', 'nxlog_json', 'ocsf_process_activity', 'splunk_cim', 'splunk_raw', 'winlogbeat',
  ]);
  assert.equal(await page.$eval('#verdict', (v) => v.dataset.verdict), 'alert');
  assert.match(await page.textContent('#rule-summary'), /^Unusual Child Process of dns\.exe \(dnschild-0001\)/);
});

test('a pasted positive alerts with a readable card; a negative says why not', async () => {
  const pos = await type(POSITIVE);
  assert.deepEqual(pos, { kind: 'alert', text: 'ALERT — C:\\Windows\\System32\\cmd.exe started by C:\\Windows\\System32\\dns.exe' });
  assert.equal(await page.isVisible('#card'), true);
  assert.equal(await page.textContent('#card [data-field=hostname]'), 'DNS01.corp.example');
  assert.equal(await page.textContent('#card-severity'), 'Severity: Trouble — risk score 73, ECS high, OCSF severity_id 4');
  assert.equal(await page.textContent('#card-mitre'),
    'MITRE ATT&CK: T1133 External Remote Services — tactics TA0001 Initial Access, TA0003 Persistence');
  assert.deepEqual(await page.$$eval('#card-explanation tbody tr', (rs) => rs.map((r) => r.cells[1].textContent)),
    ['actionname', 'PARENTPROCESSNAME', 'PROCESSNAME']);
  assert.equal(JSON.parse(await page.textContent('#raw')).process_name, 'C:\\Windows\\System32\\cmd.exe');
  const neg = await type(NEGATIVE);
  assert.deepEqual(neg, {
    kind: 'no_alert', text: 'No alert — the child is expected under this profile (shape fluentbit_winevtlog, reason child_excluded)',
  });
  assert.equal(await page.isVisible('#card'), false);
  assert.deepEqual(await type('{"ParentImage":"dns.exe",'), {
    kind: 'error', text: 'Cannot evaluate — malformed_json: malformed JSON: unexpected end of input at byte 25',
  });
  assert.equal((await type('{"EventID":4624,"TargetUserName":"x"}')).kind, 'fast_reject');
});

test('profile, output and allowlist controls re-evaluate at once', async () => {
  const werfault = await page.$$eval('#sample option', (os) => os.find((o) => o.textContent.startsWith('sysmon.xml #3')).value);
  await page.selectOption('#sample', werfault);
  await page.waitForSelector('#verdict[data-verdict=alert]');
  await page.selectOption('#profile', 'sigma-cve-2020-1350');
  await page.waitForSelector('#verdict[data-verdict=no_alert]');
  assert.match(await page.textContent('#verdict'), /reason child_excluded\)$/);
  await page.selectOption('#profile', 'seed');
  await page.waitForSelector('#verdict[data-verdict=alert]');
  await page.selectOption('#output', 'ocsf');
  assert.equal(JSON.parse(await page.textContent('#raw')).class_uid, 2004);
  assert.equal(await page.textContent('#raw-format'), 'ocsf');
  await page.selectOption('#output', 'native');
  await page.fill('#allow-hosts', 'DNS01');
  await page.waitForSelector('#verdict[data-verdict=no_alert]');
  assert.match(await page.textContent('#verdict'), /allowlist\.hosts entry "DNS01" matched/);
  await page.fill('#allow-hosts', '');
  await page.waitForSelector('#verdict[data-verdict=alert]');
});

test('a loaded file gives a table of alerts with counts, and follows the profile', async () => {
  assert.deepEqual(await scan(`${repo}samples/positives.ndjson`), { events: 19, alerts: 19, clean: 0, errors: 0 });
  assert.equal(await page.$$eval('#alerts tbody tr', (rs) => rs.length), 19);
  assert.equal(await page.textContent('#alerts-caption'), 'Alerts: 19');
  assert.deepEqual(await scan(`${repo}samples/sysmon.xml`), { events: 4, alerts: 2, clean: 2, errors: 0 });
  await page.selectOption('#profile', 'sigma-cve-2020-1350');
  await page.waitForFunction(() => document.querySelector('#count-alerts').textContent === '1'
    && document.querySelector('#scan').dataset.state === 'done');
  assert.match(await page.textContent('#scan-status'), /profile sigma-cve-2020-1350\.$/);
  await page.selectOption('#profile', 'seed');
  await page.waitForFunction(() => document.querySelector('#count-alerts').textContent === '2'
    && document.querySelector('#scan').dataset.state === 'done');
});

test('100,000 events: exact counts, a progress bar, and a responsive page', async () => {
  const dir = mkdtempSync(`${tmpdir()}/dnschild-pg-`);
  const { alerting, rejected } = benchEvents(600);
  const lines = [];
  for (let i = 0; i < 100000; i++) lines.push(i % 100 === 7 ? alerting : i % 25000 === 3 ? '{"ParentImage":"dns.exe",' : rejected);
  writeFileSync(`${dir}/big.ndjson`, `${lines.join('\n')}\n`);
  await page.evaluate(() => {
    window.gaps = [];
    let last = performance.now();
    window.ticker = setInterval(() => {
      const now = performance.now();
      window.gaps.push(now - last);
      last = now;
    }, 20);
  });
  const counts = await scan(`${dir}/big.ndjson`);
  const { maxGap, progress } = await page.evaluate(() => {
    clearInterval(window.ticker);
    const p = document.querySelector('#progress');
    return { maxGap: Math.max(...window.gaps), progress: [p.value, p.max] };
  });
  assert.deepEqual(counts, { events: 100000, alerts: 1000, clean: 98996, errors: 4 });
  assert.deepEqual(progress, [100000, 100000]);
  assert.equal(await page.textContent('#error-kinds'), 'Errors by kind: malformed_json 4');
  assert.equal(await page.$$eval('#alerts tbody tr', (rs) => rs.length), 500);
  assert.equal(await page.textContent('#alerts-caption'), 'Alerts: 1,000 (the first 500 are listed)');
  assert.ok(maxGap < 1500, `the main thread stalled for ${maxGap} ms`);
  console.log(`# 100,000 events scanned; longest main-thread gap ${Math.round(maxGap)} ms; ${await page.textContent('#scan-status')}`);
});

test('hostile log text is shown as text and runs nothing', async () => {
  assert.equal((await type(HOSTILE)).kind, 'alert');
  assert.equal(await page.textContent('#card [data-field=command_line]'), HOSTILE_CMD);
  assert.equal(await page.textContent('#card [data-field=hostname]'), '<b id=injected>DNS01</b>');
  const dir = mkdtempSync(`${tmpdir()}/dnschild-pg-`);
  writeFileSync(`${dir}/hostile.ndjson`, `${HOSTILE}\n`);
  assert.equal((await scan(`${dir}/hostile.ndjson`)).alerts, 1);
  assert.equal(await page.$eval('#alerts tbody tr', (r) => r.cells[3].textContent), HOSTILE_CMD);
  await page.waitForTimeout(300); // time for an injected image to fail and fire onerror
  assert.deepEqual(await page.evaluate(() => ({
    imgs: document.querySelectorAll('img').length,
    scripts: [...document.scripts].map((s) => s.getAttribute('src')),
    injected: document.getElementById('injected'),
    violations: window.cspViolations,
  })), { imgs: 0, scripts: ['app.js'], injected: null, violations: [] });
  assert.deepEqual(problems, []);
});

test('the copy button puts the raw alert JSON on the clipboard', async () => {
  await type(POSITIVE);
  await page.click('summary');
  await page.click('#copy');
  await page.waitForSelector('#copy-status:has-text("Copied.")');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, await page.textContent('#raw'));
  assert.equal(JSON.parse(copied).hostname, 'DNS01.corp.example');
});

test('keyboard: the picker and editor are reachable and work without a mouse', async () => {
  await page.focus('#sample');
  await page.selectOption('#sample', '0');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.querySelector('#event').value.includes('HarddiskVolume2'));
  assert.equal(await page.$eval('#verdict', (v) => v.dataset.verdict), 'alert');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'event');
  await page.keyboard.press('Control+a');
  await page.keyboard.type('{"a":1}');
  await page.waitForSelector('#verdict[data-verdict=fast_reject]');
});

test('screenshots, wide and narrow; nothing overflows a phone-sized screen', async () => {
  mkdirSync(`${repo}target`, { recursive: true });
  await type(HOSTILE);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `${repo}target/playground.png`, fullPage: true });
  await page.setViewportSize({ width: 360, height: 780 });
  const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(widths[0] <= widths[1], `page is ${widths[0]} px wide on a ${widths[1]} px screen`);
  await page.screenshot({ path: `${repo}target/playground-narrow.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.deepEqual(foreign, [], 'requests outside the page origin');
  assert.deepEqual(problems, []);
});
