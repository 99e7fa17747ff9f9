// One unit: its level, dates, successors and case counts (GET /api/admin/units/{code}), and a
// map of its children (GET /api/admin/outlines?parent=). Clicking a child opens it.
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { day, levelName, num } from './format';
import { errorText, type Http } from './http';
import { PolygonMap } from './map';
import type { AdminUnit, FeatureCollection } from './types';

export class UnitDetail {
  readonly el: HTMLElement;
  private facts = h('dl', { class: 'facts' });
  private title = h('h3', {}, t('unit'));
  private status = h('p', { class: 'error', role: 'alert' });
  private map: PolygonMap;
  code = '';

  constructor(private http: Http, private open: (code: string) => void, private shown: (u: AdminUnit) => void = () => {}) {
    this.map = new PolygonMap(t('map_children'), {
      classOf: (f) => (f.properties.retired ? 'retired' : f.properties.code === this.code ? 'self' : 'child'),
      styles: {
        self: { fill: 'rgba(31,79,184,0.08)', border: '#1f4fb8' },
        child: { fill: '#ffffff', border: '#6b7280' },
        retired: { fill: 'rgba(120,120,120,0.25)', border: '#9a9a9a' },
      },
      legend: (c) => t('map_class_' + c),
      label: (f) => (f.properties.code === this.code ? '' : String(f.properties.name ?? '')),
      pick: (f) => {
        const c = String(f.properties.code ?? '');
        if (c && c !== this.code) this.open(c);
      },
    });
    this.el = h('section', { class: 'card unit-detail' }, this.title, this.status, this.facts, this.map.el);
  }

  async show(code: string): Promise<void> {
    this.code = code;
    this.el.dataset.code = code;
    delete this.el.dataset.loaded;
    this.status.textContent = '';
    try {
      const [u, outlines] = await Promise.all([
        this.http.get<AdminUnit>('/api/admin/units/' + encodeURIComponent(code)),
        this.http.get<FeatureCollection>('/api/admin/outlines', { parent: code }),
      ]);
      if (code !== this.code) return;
      this.render(u);
      this.map.show(outlines);
      this.shown(u);
    } catch (e) {
      if (code === this.code) this.status.textContent = errorText(e);
    }
  }

  private render(u: AdminUnit): void {
    this.title.textContent = u.name;
    this.el.dataset.cases = String(u.cases);
    this.el.dataset.openCases = String(u.open_cases);
    this.el.dataset.retired = String(Boolean(u.retired_at));
    clear(this.facts);
    const row = (k: string, v: Node | string, cls = '') => this.facts.append(h('dt', {}, k), h('dd', { class: cls }, v));
    row(t('code'), u.code);
    row(t('level'), levelName(u.level));
    if (u.valid_from) row(t('valid_from'), day(u.valid_from));
    if (u.retired_at) {
      row(t('state'), t('retired_on', { date: day(u.retired_at) }), 'retired-state');
      const succ = h('span', { class: 'successors' });
      for (const s of u.successors ?? []) {
        succ.append(h('button', { type: 'button', class: 'link', 'data-code': s, onclick: () => this.open(s) }, s), ' ');
      }
      row(t('successors'), (u.successors ?? []).length ? succ : '—');
    } else {
      row(t('state'), t('current'));
    }
    row(t('children'), num(u.children));
    row(t('cases'), num(u.cases), 'cases');
    row(t('open_cases'), num(u.open_cases), 'open-cases');
    if (u.parent_code) {
      row(t('parent'), h('button', { type: 'button', class: 'link', onclick: () => this.open(u.parent_code!) }, u.parent_code));
    }
    this.el.dataset.loaded = 'true';
  }
}
