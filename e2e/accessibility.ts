import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/**
 * axe-core's browser bundle (a devDependency, never shipped). It is evaluated in the page through the DevTools
 * protocol: page.addScriptTag would add an inline <script>, which the app's Content-Security-Policy (script-src
 * 'self') rightly blocks, and the CSP stays on in these tests.
 */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string; summary: string }[];
}

declare global {
  interface Window {
    axe?: { run(context: Document, options: object): Promise<{ violations: { id: string; impact?: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[] }> };
  }
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules, plus its best practices) on the page as it is now and throws, naming
 * `state`, every rule broken at "serious" or "critical" impact with the elements that break it. Lesser findings
 * are returned, for a test that wants to look at them.
 */
export async function expectAccessible(page: Page, state: string): Promise<Violation[]> {
  if (!(await page.evaluate(() => window.axe !== undefined))) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const result = await window.axe!.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      nodes: v.nodes.slice(0, 6).map((n) => ({ target: n.target.map(String).join(' '), summary: n.failureSummary ?? '' })),
    }));
  });
  const blocking = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (blocking.length > 0) {
    const lines = blocking.flatMap((v) => [`${v.impact} ${v.id}: ${v.help}`, ...v.nodes.map((n) => `  ${n.target}: ${n.summary.replace(/\s+/g, ' ')}`)]);
    throw new Error(`accessibility of "${state}": ${blocking.length} serious or critical axe violations\n${lines.join('\n')}`);
  }
  return violations;
}
