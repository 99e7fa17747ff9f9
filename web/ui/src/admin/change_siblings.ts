// The siblings of the unit open in the tree, as checkboxes: the units a merge joins, or the
// successors a retired unit hands its area to. Ticks are kept while the parent stays the same.
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { errorText, type Http } from './http';
import type { AdminUnit } from './types';

export class SiblingPicker {
  readonly el: HTMLElement;
  private list = h('div', { class: 'siblings' });
  private parent: string | null = null;
  private units: AdminUnit[] = [];
  private checked = new Set<string>();
  private self = '';
  private auto = ''; // the open unit, ticked for the administrator

  // exceptSelf leaves out the open unit (a retired unit is not its own successor).
  constructor(private http: Http, private name: string, label: string, private exceptSelf: boolean) {
    this.el = h('fieldset', { class: 'sibling-picker' }, h('legend', {}, label), this.list);
    this.render();
  }

  // show lists the open unit's siblings afresh (the grid may have changed) and ticks the open
  // unit in place of the one ticked for the administrator before, unless they ticked it.
  async show(u: AdminUnit): Promise<void> {
    this.self = u.code;
    if (u.parent_code !== this.parent) {
      this.checked.clear();
      this.units = [];
    }
    this.parent = u.parent_code;
    if (this.auto && this.auto !== u.code) {
      this.checked.delete(this.auto);
      this.auto = '';
    }
    if (this.exceptSelf) this.checked.delete(u.code);
    else if (!this.checked.has(u.code)) {
      this.checked.add(u.code);
      this.auto = u.code;
    }
    if (this.parent) {
      try {
        const { units } = await this.http.get<{ units: AdminUnit[] }>('/api/admin/units', { parent: this.parent });
        if (this.self !== u.code) return;
        this.units = units ?? [];
      } catch (e) {
        clear(this.list);
        this.list.append(h('p', { class: 'error' }, errorText(e)));
        return;
      }
    }
    this.render();
  }

  codes(): string[] {
    return this.units.map((u) => u.code).filter((c) => this.checked.has(c) && !(this.exceptSelf && c === this.self));
  }

  reset(): void {
    this.checked.clear();
    this.auto = '';
    this.render();
  }

  private render(): void {
    clear(this.list);
    const units = this.units.filter((u) => !(this.exceptSelf && u.code === this.self));
    if (!units.length) this.list.append(h('p', { class: 'muted small' }, t('siblings_none')));
    for (const u of units) {
      const box = h('input', { type: 'checkbox', name: this.name, value: u.code, checked: this.checked.has(u.code) });
      box.addEventListener('change', () => {
        if (box.checked) this.checked.add(u.code);
        else this.checked.delete(u.code);
        if (u.code === this.auto) this.auto = '';
      });
      this.list.append(h('label', { class: 'inline' }, box, h('span', {}, u.name, ' ', h('small', { class: 'muted' }, u.code))));
    }
  }
}
