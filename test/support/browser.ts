/**
 * The web app in Debian's Chromium through playwright-core: one browser per test file, pages at a phone's
 * or a desktop's size, screenshots for the docs, and an automated accessibility check with axe-core.
 */
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** 375 px wide, touch: the parent in the kitchen. */
export const PHONE: BrowserContextOptions = {
  viewport: { width: 375, height: 812 },
  hasTouch: true,
  isMobile: true,
};
/** The parent at the laptop. */
export const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 800 } };

/**
 * Playwright's own signal handlers would exit the process right after closing the browser, before the
 * caller's clean-up has stopped the hub, the agent and timekprd; the callers handle signals themselves.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
}

/** With KIDTIME_SCREENSHOTS=DIR the main screens are saved there (docs/screenshots is made this way). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.KIDTIME_SCREENSHOTS;
  if (dir) await page.screenshot({ path: path.join(dir, `${name}.png`) });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[]; failureSummary?: string }>;
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules, shadow DOM included) on what the page shows now and returns the
 * serious and critical violations, described well enough to fix from a test failure.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) {
    await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  }
  // The whole page at once: at phone size the fixed tab bar covers whatever is scrolled under it, which axe
  // would report as an obscured touch target although the parent scrolls it free.
  const viewport = page.viewportSize();
  const height = await page.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { scrollHeight: number } } }).document
        .documentElement.scrollHeight,
  );
  if (viewport && height > viewport.height) await page.setViewportSize({ width: viewport.width, height });
  const violations = await page.evaluate(async () => {
    // Runs in the page (the test's tsconfig has no DOM types).
    const inPage = globalThis as unknown as {
      document: unknown;
      axe: { run: (...args: unknown[]) => Promise<{ violations: unknown[] }> };
    };
    const result = await inPage.axe.run(inPage.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      resultTypes: ['violations'],
    });
    return result.violations;
  });
  if (viewport && height > viewport.height) await page.setViewportSize(viewport);
  return (violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`)
          .join('; ')}`,
    );
}

/** How far the page is wider than the screen, in CSS pixels (0: it fits). */
export const pageOverflow = (page: Page) =>
  page.evaluate(() => {
    const inPage = globalThis as unknown as {
      innerWidth: number;
      visualViewport: { width: number } | null;
      document: { documentElement: { scrollWidth: number } };
    };
    const screenWidth = inPage.visualViewport?.width ?? inPage.innerWidth;
    return Math.max(0, Math.round(inPage.document.documentElement.scrollWidth - screenWidth));
  });
