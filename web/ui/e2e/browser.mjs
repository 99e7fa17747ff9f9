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

// env is an environment variable the script cannot go without.
export function env(k) {
  if (!process.env[k]) throw new Error(`set ${k}`);
  return process.env[k];
}

// signIn opens an app at url and signs in through its form, the same in the three apps.
export async function signIn(page, url, phone, password) {
  await page.goto(url);
  await page.fill('input[name=phone]', phone);
  await page.fill('input[name=password]', password);
  await page.click('form.signin button[type=submit]');
}

// consoleSignIn signs in to the console at BASE_URL with PASSWORD, as the console scripts do.
export async function consoleSignIn(page, phone) {
  await signIn(page, process.env.BASE_URL + '/console/', phone, process.env.PASSWORD);
}

// shot saves a screenshot of the page into SHOTS, when it is set.
export async function shot(page, name, fullPage = true) {
  if (process.env.SHOTS) await page.screenshot({ path: `${process.env.SHOTS}/${name}.png`, fullPage });
}

// tapTarget: the element is at least 44 px tall and lies within the width.
export async function tapTarget(page, sel, width) {
  const box = await (await page.$(sel)).boundingBox();
  return box.height >= 44 && box.x >= 0 && box.x + box.width <= width;
}

// consoleBrowser is one Chromium for the mediation console's tests; each page() is a separate
// context (its own storage and session), at a desk's size unless given another viewport.
export async function consoleBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const problems = [];
  const pages = [];
  const page = async (name, viewport = { width: 1280, height: 800 }) => {
    const context = await browser.newContext({ viewport, locale: 'zh-CN', isMobile: viewport.width < 600, hasTouch: viewport.width < 600 });
    const p = await context.newPage();
    p.on('pageerror', (e) => problems.push(name + ': ' + String(e)));
    pages.push([name, p]);
    return p;
  };
  // screenshots saves every page, for a failure.
  const screenshots = async (path) => {
    for (const [name, p] of pages) {
      await p.screenshot({ path: path.replace(/(\.png)?$/, '-' + name + '.png'), fullPage: true }).catch(() => {});
    }
  };
  return { browser, page, problems, screenshots, close: () => browser.close() };
}
