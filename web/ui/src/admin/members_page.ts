// The members page (人员): search and filters, a page of members with their assignments, each
// opening its panel of actions; adding a member; the roster.
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { day, num, roleName, roles } from './format';
import { errorText, type Http } from './http';
import { MemberAdd } from './member_add';
import { MemberCard } from './member_card';
import { Roster } from './roster';
import type { AdminMember } from './types';

const pageSize = 50;

export class MembersPage {
  readonly el: HTMLElement;
  private q = h('input', { type: 'search', name: 'member-q', maxlength: 100, placeholder: t('member_search') });
  private unit = h('input', { name: 'member-unit', inputmode: 'numeric', maxlength: 18, placeholder: t('unit_code'), autocomplete: 'off' });
  private role = h('select', { name: 'member-role' }, h('option', { value: '' }, t('all_roles')), roles.map((r) => h('option', { value: r }, roleName(r))));
  private flagged = h('input', { type: 'checkbox', name: 'member-flagged' });
  private inactive = h('input', { type: 'checkbox', name: 'member-inactive' });
  private list = h('ul', { class: 'members' });
  private count = h('p', { class: 'muted count' });
  private notice = h('p', { class: 'notice', role: 'status' });
  private status = h('p', { class: 'error', role: 'alert' });
  private prev = h('button', { type: 'button', class: 'secondary', disabled: true }, t('prev_page'));
  private next = h('button', { type: 'button', class: 'secondary', disabled: true }, t('next_page'));
  private offset = 0;
  private openID = 0; // the member whose panel is open, kept across reloads
  private started = false;

  constructor(private http: Http) {
    const filters = h('form', { class: 'filters', onsubmit: (e: Event) => {
      e.preventDefault();
      this.offset = 0;
      void this.load();
    } },
    this.q, this.unit, this.role,
    h('label', { class: 'inline' }, this.flagged, t('only_flagged')),
    h('label', { class: 'inline' }, this.inactive, t('only_inactive')),
    h('button', { type: 'submit', class: 'primary', 'data-test': 'member-search' }, t('search')));
    for (const c of [this.role, this.flagged, this.inactive]) c.addEventListener('change', () => filters.requestSubmit());
    this.prev.addEventListener('click', () => {
      this.offset = Math.max(0, this.offset - pageSize);
      void this.load();
    });
    this.next.addEventListener('click', () => {
      this.offset += pageSize;
      void this.load();
    });
    this.el = h('div', { class: 'page members-page' },
      h('section', { class: 'card' }, h('h3', {}, t('members_title')), filters, this.notice, this.status, this.count, this.list,
        h('div', { class: 'buttons pager' }, this.prev, this.next)),
      new MemberAdd(http, () => void this.load()).el,
      new Roster(http, () => void this.load()).el);
  }

  show(): void {
    if (this.started) return;
    this.started = true;
    void this.load();
  }

  async load(): Promise<void> {
    this.status.textContent = '';
    try {
      const r = await this.http.get<{ members: AdminMember[]; total: number }>('/api/admin/members', {
        q: this.q.value.trim(), unit: this.unit.value.trim(), role: this.role.value,
        flagged: this.flagged.checked, inactive: this.inactive.checked, limit: pageSize, offset: this.offset });
      clear(this.list);
      const members = r.members ?? [];
      this.count.textContent = t('members_count', { n: num(r.total), from: num(members.length ? this.offset + 1 : 0), to: num(this.offset + members.length) });
      if (members.length === 0) this.list.append(h('li', { class: 'empty' }, t('no_members')));
      for (const m of members) this.list.append(this.row(m));
      this.list.dataset.loaded = 'true';
      this.prev.disabled = this.offset === 0;
      this.next.disabled = this.offset + members.length >= r.total;
    } catch (e) {
      this.status.textContent = errorText(e);
    }
  }

  private row(m: AdminMember): HTMLElement {
    const panel = h('div', { class: 'panel', hidden: true });
    const toggle = h('button', { type: 'button', class: 'secondary', 'data-test': 'manage', 'aria-expanded': 'false' }, t('manage'));
    const openPanel = () => {
      clear(panel);
      panel.append(new MemberCard(this.http, m, (note) => {
        this.notice.textContent = note;
        void this.load();
      }).el);
      panel.hidden = false;
      toggle.setAttribute('aria-expanded', 'true');
      this.openID = m.id;
    };
    toggle.addEventListener('click', () => {
      if (!panel.hidden) {
        panel.hidden = true;
        toggle.setAttribute('aria-expanded', 'false');
        this.openID = 0;
        return;
      }
      this.notice.textContent = '';
      openPanel();
    });
    const flagged = (m.assignments ?? []).some((a) => a.flagged);
    const li = h('li', { class: 'member', 'data-member': m.id, 'data-phone': m.phone, 'data-active': String(!m.deactivated_at) },
      h('div', { class: 'member-head' },
        h('div', { class: 'who' }, h('strong', {}, m.name), ' ', h('span', { class: 'muted' }, m.phone),
          m.deactivated_at ? h('span', { class: 'tag' }, t('inactive_since', { date: day(m.deactivated_at) })) : null,
          m.deactivated_at && m.phone_released ? h('span', { class: 'tag' }, t('phone_released')) : null,
          m.must_change_password ? h('span', { class: 'tag' }, t('must_change')) : null,
          flagged ? h('span', { class: 'tag warn' }, t('flagged')) : null),
        toggle),
      h('p', { class: 'small assign-line' }, (m.assignments ?? []).map((a) => (a.unit_name || a.unit_code) + '·' + roleName(a.role)).join('；') || t('no_assignments')),
      panel);
    if (m.id === this.openID) openPanel();
    return li;
  }
}
