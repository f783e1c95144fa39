// Per-call time of the wasm-bindgen package in headless Chromium, on the served playground.
//   node bench.mjs PLAYGROUND_DIR [CALLS]

import { open } from './test/browser.mjs';

const [root, n = '100000'] = process.argv.slice(2);
if (!root) throw new Error('usage: node bench.mjs PLAYGROUND_DIR [CALLS]');
const browser = await open(root);
try {
  const page = browser.context.pages()[0] ?? await browser.context.newPage();
  await page.goto(`${browser.origin}/`);
  await page.waitForSelector('body[data-ready=true]');
  const rows = await page.evaluate(async (calls) => {
    const { Detector } = await import('./dnschild/web.js');
    const { benchEvents } = await import('./bench-events.js');
    const d = new Detector();
    const { alerting, rejected } = benchEvents();
    const time = (label, fn, count, per = 1) => {
      for (let i = 0; i < Math.min(count, 5000); i++) fn();
      const t0 = performance.now();
      for (let i = 0; i < count; i++) fn();
      return `${label.padEnd(34)} ${(((performance.now() - t0) * 1000) / count / per).toFixed(2)} µs/call`;
    };
    const batch = Array(256).fill(alerting);
    return [
      time(`evaluateRaw, ${alerting.length} B alerting`, () => d.evaluateRaw(alerting), calls),
      time('evaluate (parsed alert object)', () => d.evaluate(alerting), calls),
      time(`evaluateRaw, ${rejected.length} B fast reject`, () => d.evaluateRaw(rejected), calls),
      time('evaluateBatch of 256, per event', () => d.evaluateBatch(batch), Math.ceil(calls / 256), 256),
    ];
  }, Number(n));
  const version = browser.context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent)).match(/Chrome\/(\S+)/)[1];
  for (const r of rows) console.log(`chromium ${version}  ${r}`);
} finally {
  await browser.close();
}
