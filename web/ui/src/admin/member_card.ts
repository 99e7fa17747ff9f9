// One member's panel: assignments (unassign, move, add), password reset, deactivation, releasing
// the phone, and the member's audit entries.
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { codeBox } from './codes';
import { askInline } from './confirm';
import { roleName } from './format';
import { errorText, type Http } from './http';
import { roleSelect } from './member_add';
import type { AdminMember, Assignment, OneTimeCode } from './types';

export class MemberCard {
  readonly el: HTMLElement;
  private slot = h('div', { class: 'slot' });
  private status = h('p', { class: 'error', role: 'alert' });

  constructor(private http: Http, private m: AdminMember, private changed: (note: string) => void) {
    const base = '/api/admin/members/' + m.id;
    const inactive = Boolean(m.deactivated_at);
    const buttons = h('div', { class: 'buttons' });
    if (!inactive) {
      buttons.append(
        h('button', { type: 'button', class: 'secondary', 'data-test': 'reset-password', onclick: () => askInline(this.slot,
          t('reset_confirm', { name: m.name }), t('reset_password'), () => this.reset(base)) }, t('reset_password')),
        h('button', { type: 'button', class: 'secondary danger', 'data-test': 'deactivate', onclick: () => askInline(this.slot,
          t('deactivate_confirm', { name: m.name }), t('deactivate_yes'), () => this.act('POST', base + '/deactivate', t('deactivated_note', { name: m.name }))) },
        t('deactivate')));
    } else if (!m.phone_released) {
      buttons.append(h('button', { type: 'button', class: 'secondary', 'data-test': 'release-phone', onclick: () => askInline(this.slot,
        t('release_confirm', { phone: m.phone }), t('release_phone'), () => this.act('POST', base + '/release-phone', t('released_note'))) },
      t('release_phone')));
    }
    buttons.append(h('a', { class: 'button secondary', href: '#audit?member=' + m.id }, t('member_audit')));
    this.el = h('div', { class: 'member-card', 'data-member': m.id },
      h('ul', { class: 'assignments' }, (m.assignments ?? []).map((a) => this.assignment(base, a, inactive))),
      inactive ? null : this.assignForm(base),
      buttons, this.status, this.slot);
  }

  private assignment(base: string, a: Assignment, inactive: boolean): HTMLElement {
    const moveSlot = h('div');
    const li = h('li', { 'data-unit': a.unit_code, 'data-role': a.role, class: a.flagged ? 'flagged' : '' },
      h('span', {}, (a.unit_name || a.unit_code) + ' · ' + roleName(a.role)),
      h('small', { class: 'muted' }, ' ' + a.unit_code),
      a.flagged ? h('span', { class: 'tag warn' }, t('flagged')) : null,
      a.retired ? h('span', { class: 'tag' }, t('retired')) : null);
    if (inactive) return li;
    li.append(h('span', { class: 'row-buttons' },
      h('button', { type: 'button', class: 'secondary', 'data-test': 'move', onclick: () => this.moveForm(moveSlot, base, a) }, t('move')),
      h('button', { type: 'button', class: 'secondary', 'data-test': 'unassign', onclick: () => askInline(moveSlot,
        t('unassign_confirm', { unit: a.unit_name || a.unit_code, role: roleName(a.role) }), t('unassign'),
        () => this.act('DELETE', `${base}/assignments/${encodeURIComponent(a.unit_code)}/${encodeURIComponent(a.role)}`, '')) }, t('unassign'))),
    moveSlot);
    return li;
  }

  private moveForm(slot: HTMLElement, base: string, a: Assignment): void {
    clear(slot);
    const to = h('input', { name: 'move-to', inputmode: 'numeric', maxlength: 18, required: true, autocomplete: 'off' });
    slot.append(h('form', { class: 'inline-form', onsubmit: (e: Event) => {
      e.preventDefault();
      void this.act('POST', base + '/move', '', { unit_code: a.unit_code, role: a.role, to: to.value.trim() });
    } }, h('label', {}, t('move_to'), to), h('div', { class: 'buttons' },
      h('button', { type: 'submit', class: 'primary', 'data-test': 'move-submit' }, t('move')),
      h('button', { type: 'button', class: 'secondary', onclick: () => clear(slot) }, t('cancel')))));
  }

  private assignForm(base: string): HTMLElement {
    const unit = h('input', { name: 'assign-unit', inputmode: 'numeric', maxlength: 18, required: true, autocomplete: 'off' });
    const role = roleSelect('assign-role');
    return h('form', { class: 'inline-form assign-form', onsubmit: (e: Event) => {
      e.preventDefault();
      void this.act('POST', base + '/assignments', '', { unit_code: unit.value.trim(), role: role.value });
    } }, h('div', { class: 'pair' }, h('label', {}, t('unit_code'), unit), h('label', {}, t('role'), role)),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'secondary', 'data-test': 'assign' }, t('assign'))));
  }

  private async reset(base: string): Promise<void> {
    try {
      const r = await this.http.send<{ code: string; expires_at: string }>('POST', base + '/password-reset');
      clear(this.slot);
      const c: OneTimeCode = { code: r.code, expires_at: r.expires_at };
      this.slot.append(codeBox(c, this.m.name + '（' + this.m.phone + '）'));
    } catch (e) {
      clear(this.slot);
      this.status.textContent = errorText(e);
    }
  }

  private async act(method: string, path: string, done: string, body?: unknown): Promise<void> {
    this.status.textContent = '';
    try {
      await this.http.send(method, path, body);
      this.changed(done);
    } catch (e) {
      clear(this.slot);
      this.status.textContent = errorText(e);
    }
  }
}
