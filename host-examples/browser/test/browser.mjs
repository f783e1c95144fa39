// Headless Debian Chromium through playwright-core (no browser download), with the flags
// these machines need, a fresh user-data directory, and the playground served on 127.0.0.1.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';

export const CHROMIUM = process.env.DNSCHILD_CHROMIUM ?? '/usr/bin/chromium';
export const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run',
];

/** Serves `root` on a free port and opens a browser; `close()` undoes both. */
export async function open(root, options = {}) {
  const server = await serve(root, 0);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const profile = mkdtempSync(`${tmpdir()}/dnschild-chromium-`);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1280, height: 900 }, ...options,
  });
  const close = async () => {
    await context.close();
    await new Promise((resolve) => server.close(resolve));
    rmSync(profile, { recursive: true, force: true });
  };
  return { origin, context, close };
}
