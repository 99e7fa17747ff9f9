// Shared by the browser tests: Debian's Chromium, headless, with the flags this machine needs,
// a fresh profile each run, at the size of a 360-px-wide phone.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function phoneBrowser({ lon, lat, accuracy = 12 }) {
  const profile = mkdtempSync(join(tmpdir(), 'griddispatch-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    viewport: { width: 360, height: 740 },
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    geolocation: { longitude: lon, latitude: lat, accuracy },
    permissions: ['geolocation'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, page, problems, close };
}

export function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
}
