/**
 * What a person notices about a screen's layout, measured in the page: does the
 * document itself scroll, is the sidebar there, can every control be reached (in the
 * viewport, or inside a box that scrolls), does anything stick out of its pane. And
 * axe-core's WCAG 2 A/AA rules, injected from node_modules.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

export interface LayoutReport {
  innerWidth: number;
  innerHeight: number;
  scrollWidth: number;
  scrollHeight: number;
  sidebarVisible: boolean;
  /** Controls that cannot be brought into view: clipped away, or outside the window. */
  unreachable: string[];
  /** Elements that stick out of their pane (the pane would scroll sideways or clip them). */
  overflowing: string[];
  /** Panes (boxes that scroll) whose content is wider than they are. */
  sidewaysPanes: string[];
  domElements: number;
}

/** Runs in the page: plain JavaScript over the DOM, no imports. */
function measureLayout(): LayoutReport {
  const describe = (el: Element): string => {
    const tag = el.tagName.toLowerCase();
    const id = el.getAttribute('data-testid') ?? el.getAttribute('aria-label') ?? el.id;
    const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
    const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return `${tag}${cls}${id ? `[${id}]` : ''}${text ? ` "${text}"` : ''}`;
  };
  const scrolls = (value: string): boolean => value === 'auto' || value === 'scroll';
  const clips = (value: string): boolean => value === 'hidden' || value === 'clip';
  const visible = (el: Element): boolean =>
    el.checkVisibility({ checkOpacity: false, checkVisibilityCSS: true }) && el.getBoundingClientRect().width > 0;

  // A control is reachable when every box between it and the window either shows it
  // or scrolls to it; the outermost such box must lie in the window. Returns why not.
  const unreachableWhy = (el: Element): string | null => {
    const r = el.getBoundingClientRect();
    let left = r.left;
    let right = r.right;
    let top = r.top;
    let bottom = r.bottom;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      const box = a.getBoundingClientRect();
      const where = `at ${Math.round(left)},${Math.round(top)}–${Math.round(right)},${Math.round(bottom)}, clipped by ${describe(a).slice(0, 50)}`;
      if (scrolls(style.overflowX)) {
        left = Math.max(box.left, Math.min(left, box.right - 1));
        right = Math.min(box.right, Math.max(right, box.left + 1));
      } else if (clips(style.overflowX) && (right <= box.left || left >= box.right)) return where;
      if (scrolls(style.overflowY)) {
        top = Math.max(box.top, Math.min(top, box.bottom - 1));
        bottom = Math.min(box.bottom, Math.max(bottom, box.top + 1));
      } else if (clips(style.overflowY) && (bottom <= box.top || top >= box.bottom)) return where;
    }
    const inWindow = left >= -1 && top >= -1 && right <= innerWidth + 1 && bottom <= innerHeight + 1;
    return inWindow ? null : `at ${Math.round(left)},${Math.round(top)}–${Math.round(right)},${Math.round(bottom)}, outside the window`;
  };

  const controls = [...document.querySelectorAll('button, input, select, textarea, a[href], [tabindex]:not([tabindex="-1"])')].filter(
    (el) => visible(el) && !(el instanceof HTMLInputElement && el.type === 'hidden'),
  );
  const unreachable = controls.flatMap((el) => {
    const why = unreachableWhy(el);
    return why === null ? [] : [`${describe(el)} ${why}`];
  });

  // Boxes made to scroll sideways: wide tables, code, maps. Any other box that
  // scrolls is a pane, and a pane never scrolls sideways as a whole.
  const sidewaysBox = (el: Element): boolean =>
    el.matches('.table-scroll, .table-wrap, .preview-table, pre, textarea') || el.closest('.leaflet-container') !== null;
  // Panes: the sidebar, the main content, and every box inside that scrolls.
  const all = [...document.querySelectorAll('body *')];
  const panes = all.filter((el) => {
    const style = getComputedStyle(el);
    return visible(el) && (el.matches('.sidebar, .content') || scrolls(style.overflowY) || scrolls(style.overflowX));
  });
  const sidewaysPanes = panes
    .filter((el) => !sidewaysBox(el) && el.scrollWidth > el.clientWidth + 1)
    .map((el) => `${describe(el)}: ${el.scrollWidth} > ${el.clientWidth}`);
  // Every element whose nearest clipping or scrolling box is a pane must fit its pane
  // across; what lies in a box of its own (a table's scroller, a map) is that box's job.
  const overflowing: string[] = [];
  for (const el of all) {
    if (!visible(el) || el.closest('.leaflet-container') !== null) continue;
    // A modal dialog lies over the window, not in its parent's pane: it must fit the window.
    if (getComputedStyle(el).position === 'fixed') {
      const r = el.getBoundingClientRect();
      if (r.left < -1 || r.top < -1 || r.right > innerWidth + 1 || r.bottom > innerHeight + 1) overflowing.push(`${describe(el)} (outside the window)`);
      continue;
    }
    let pane: Element | null = null;
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const style = getComputedStyle(a);
      if (style.overflowX !== 'visible' || panes.includes(a)) {
        pane = a;
        break;
      }
    }
    if (pane === null || !panes.includes(pane) || sidewaysBox(pane)) continue;
    const box = pane.getBoundingClientRect();
    const r = el.getBoundingClientRect();
    if (r.right > box.right + 1 || r.left < box.left - 1) overflowing.push(`${describe(el)} (${Math.round(r.left)}–${Math.round(r.right)} in ${describe(pane).slice(0, 40)} ${Math.round(box.left)}–${Math.round(box.right)})`);
  }

  const sidebar = document.querySelector('.sidebar');
  const sb = sidebar?.getBoundingClientRect();
  return {
    innerWidth,
    innerHeight,
    scrollWidth: document.documentElement.scrollWidth,
    scrollHeight: document.documentElement.scrollHeight,
    sidebarVisible: sb !== undefined && sb.left >= 0 && sb.top >= 0 && sb.bottom <= innerHeight + 1 && sb.height >= innerHeight - 1,
    unreachable,
    overflowing,
    sidewaysPanes,
    domElements: document.getElementsByTagName('*').length,
  };
}

export function layoutReport(page: Page): Promise<LayoutReport> {
  return page.evaluate(measureLayout);
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core's WCAG 2 A and AA rules over the whole page. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated rather than added as a <script>: the app's content security policy
  // rightly refuses inline scripts.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    interface AxeResult {
      violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[];
    }
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<AxeResult> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`.slice(0, 300)),
    }));
  });
}
