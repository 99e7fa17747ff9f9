// The grid as a tree, loaded a level at a time (GET /api/admin/units?parent=), and a search by
// code or name. Retired units are listed only on request, marked with their date.
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { day, levelName } from './format';
import { errorText, type Http } from './http';
import type { AdminUnit } from './types';

export class GridTree {
  readonly el: HTMLElement;
  private list = h('ul', { class: 'tree', role: 'tree' });
  private results = h('ul', { class: 'search-results' });
  private status = h('p', { class: 'error', role: 'alert' });
  private search = h('input', { type: 'search', name: 'unit-search', placeholder: t('search_units'), maxlength: 100, 'aria-label': t('search_units') });
  private retired = h('input', { type: 'checkbox', name: 'show-retired' });
  private selected = '';
  private timer = 0;

  constructor(private http: Http, private select: (code: string) => void) {
    this.search.addEventListener('input', () => {
      clearTimeout(this.timer);
      this.timer = window.setTimeout(() => void this.find(), 250);
    });
    this.retired.addEventListener('change', () => void this.load());
    this.el = h('section', { class: 'card tree-card' },
      h('h3', {}, t('grid_tree')),
      this.search, this.results,
      h('label', { class: 'inline' }, this.retired, t('show_retired')),
      this.status, this.list);
  }

  async load(): Promise<void> {
    clear(this.list);
    this.status.textContent = '';
    try {
      const { units } = await this.http.get<{ units: AdminUnit[] }>('/api/admin/units', { retired: this.retired.checked });
      for (const u of units ?? []) this.list.append(this.node(u));
      this.list.dataset.loaded = 'true';
      if (!this.selected && units?.length) this.pick(units[0].code);
    } catch (e) {
      this.status.textContent = errorText(e);
    }
  }

  // mark shows which unit the page has open.
  mark(code: string): void {
    this.selected = code;
    for (const b of this.el.querySelectorAll<HTMLElement>('.unit-name')) {
      b.setAttribute('aria-current', String(b.dataset.code === code));
    }
  }

  // reload refreshes the tree after the grid changed, keeping the open unit.
  reload(): Promise<void> {
    return this.load();
  }

  private pick(code: string): void {
    this.mark(code);
    this.select(code);
  }

  private node(u: AdminUnit): HTMLElement {
    const kids = h('ul', { role: 'group', hidden: true });
    const toggle = h('button', { type: 'button', class: 'toggle', 'aria-expanded': 'false', 'aria-label': t('expand', { name: u.name }),
      disabled: u.children === 0 }, u.children > 0 ? '▸' : '·');
    toggle.addEventListener('click', async () => {
      const open = toggle.getAttribute('aria-expanded') === 'true';
      if (open) {
        kids.hidden = true;
        toggle.setAttribute('aria-expanded', 'false');
        toggle.textContent = '▸';
        return;
      }
      if (!kids.dataset.loaded) {
        try {
          const { units } = await this.http.get<{ units: AdminUnit[] }>('/api/admin/units', { parent: u.code, retired: this.retired.checked });
          for (const c of units ?? []) kids.append(this.node(c));
          kids.dataset.loaded = 'true';
        } catch (e) {
          this.status.textContent = errorText(e);
          return;
        }
      }
      kids.hidden = false;
      toggle.setAttribute('aria-expanded', 'true');
      toggle.textContent = '▾';
    });
    const name = h('button', { type: 'button', class: 'unit-name', 'data-code': u.code, 'aria-current': String(u.code === this.selected),
      onclick: () => this.pick(u.code) },
    h('span', {}, u.name), h('small', {}, ' ' + levelName(u.level)),
    u.retired_at ? h('small', { class: 'retired-tag' }, ' ' + t('retired_on', { date: day(u.retired_at) })) : null);
    return h('li', { role: 'treeitem', 'data-code': u.code, class: u.retired_at ? 'retired' : '' },
      h('div', { class: 'node' }, toggle, name), kids);
  }

  private async find(): Promise<void> {
    const q = this.search.value.trim();
    clear(this.results);
    if (!q) return;
    try {
      const { units } = await this.http.get<{ units: AdminUnit[] }>('/api/admin/units/search', { q, limit: 20 });
      if (q !== this.search.value.trim()) return;
      if (!units?.length) this.results.append(h('li', { class: 'muted' }, t('no_units_found')));
      for (const u of units ?? []) {
        this.results.append(h('li', {}, h('button', { type: 'button', class: 'unit-name', 'data-code': u.code, onclick: () => this.pick(u.code) },
          h('span', {}, u.name), h('small', {}, ' ' + u.code + ' · ' + levelName(u.level)),
          u.retired_at ? h('small', { class: 'retired-tag' }, ' ' + t('retired_on', { date: day(u.retired_at) })) : null)));
      }
    } catch (e) {
      this.results.append(h('li', { class: 'error' }, errorText(e)));
    }
  }
}
