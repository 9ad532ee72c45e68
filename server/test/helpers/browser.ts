// Real browsers for UI tests: Debian's chromium driven by playwright-core (no downloaded browser),
// headless, one fresh profile per browser, fake media devices so WebRTC code paths have a
// microphone, and every host name but 127.0.0.1 unresolvable so a test can never reach the network.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { MissingProgramError } from '../../../scripts/lib/child.ts';
import { REPO } from './fsim.ts';

export const CHROMIUM = process.env.HOTLINE_TEST_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(REPO, 'artifacts', 'softphone');

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
];

export const haveChromium = (): boolean => existsSync(CHROMIUM);

/** A browser with a fresh user-data-dir (launchPersistentContext is how playwright takes one). */
export async function openBrowser(t: { teardown(fn: () => unknown): void }, name: string): Promise<{ context: BrowserContext; page: Page; errors: string[]; shot(step: string): Promise<void> }> {
  // Say what to install rather than fail inside playwright with a spawn error.
  if (!haveChromium()) throw new MissingProgramError(CHROMIUM, 'or set HOTLINE_TEST_CHROMIUM to a Chromium binary.');
  const profile = await mkdtemp(path.join(tmpdir(), `chromium-${name}-`));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 860 },
    locale: 'zh-CN',
  });
  t.teardown(async () => {
    await context.close().catch(() => undefined);
    await rm(profile, { recursive: true, force: true });
  });
  // Tests run through tsx, whose esbuild transform keeps function names by wrapping them in a
  // `__name(fn, "name")` helper defined at the top of each module. A function handed to
  // page.evaluate is sent as its source text and runs in the page, where that helper does not
  // exist (ReferenceError: __name is not defined): every page gets an identity one.
  await context.addInitScript({ content: 'globalThis.__name = globalThis.__name || ((fn) => fn);' });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await mkdir(ARTIFACTS, { recursive: true });
  let n = 0;
  return {
    context,
    page,
    /** Uncaught errors in the page: a UI test expects none. */
    errors,
    // Screenshots are the test's artifacts: artifacts/softphone/<browser>-<n>-<step>.png.
    shot: async (step) => void (await page.screenshot({ path: path.join(ARTIFACTS, `${name}-${String(++n).padStart(2, '0')}-${step}.png`), fullPage: true })),
  };
}
