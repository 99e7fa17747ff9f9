// Where the dashboard is: the scope unit (a selector when the member supervises several) and
// the units drilled into below it. It goes back up, never above the scope unit.
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import type { ScopeUnit } from './types';

export class Breadcrumb {
  readonly el = h('nav', { class: 'crumbs', 'aria-label': t('crumbs') });
  private trail: ScopeUnit[] = [];

  constructor(private scope: ScopeUnit[], private go: (u: ScopeUnit, trail: ScopeUnit[]) => void) {}

  get current(): ScopeUnit {
    return this.trail[this.trail.length - 1];
  }

  get path(): ScopeUnit[] {
    return [...this.trail];
  }

  // set shows a trail that starts at a scope unit.
  set(trail: ScopeUnit[]): void {
    this.trail = trail;
    this.render();
  }

  push(u: ScopeUnit): void {
    this.set([...this.trail, u]);
  }

  private render(): void {
    clear(this.el);
    const [top] = this.trail;
    if (this.scope.length > 1) {
      const pick = h('select', { name: 'scope', 'aria-label': t('scope') },
        this.scope.map((u) => h('option', { value: u.code, selected: u.code === top.code }, u.name + ' · ' + t('level_' + u.level))));
      pick.addEventListener('change', () => {
        const u = this.scope.find((x) => x.code === pick.value);
        if (u) this.to([u]);
      });
      this.el.append(pick);
    }
    this.trail.forEach((u, i) => {
      if (i > 0) this.el.append(h('span', { class: 'sep', 'aria-hidden': 'true' }, '›'));
      this.el.append(i === this.trail.length - 1
        ? h('strong', { class: 'crumb', 'data-code': u.code, 'aria-current': 'page' }, u.name)
        : h('button', { type: 'button', class: 'crumb link', 'data-code': u.code, onclick: () => this.to(this.trail.slice(0, i + 1)) }, u.name));
    });
    this.el.append(h('span', { class: 'muted small level' }, t('level_' + this.current.level) + ' ' + this.current.code));
  }

  private to(trail: ScopeUnit[]): void {
    this.set(trail);
    this.go(this.current, trail);
  }
}
