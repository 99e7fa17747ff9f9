// Adding a member (POST /api/admin/members) with one assignment; the answer's one-time code is
// shown once.
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { codeBox } from './codes';
import { roleName, roles } from './format';
import { errorText, type Http } from './http';
import type { AdminMember, OneTimeCode } from './types';

export function roleSelect(name: string): HTMLSelectElement {
  return h('select', { name, required: true }, roles.map((r) => h('option', { value: r }, roleName(r))));
}

export class MemberAdd {
  readonly el: HTMLElement;
  private phone = h('input', { name: 'add-phone', type: 'tel', inputmode: 'numeric', maxlength: 11, required: true, autocomplete: 'off' });
  private name = h('input', { name: 'add-name', maxlength: 50, required: true, autocomplete: 'off' });
  private unit = h('input', { name: 'add-unit', inputmode: 'numeric', maxlength: 18, required: true, autocomplete: 'off' });
  private role = roleSelect('add-role');
  private status = h('p', { class: 'error', role: 'alert' });
  private result = h('div');

  constructor(private http: Http, private added: () => void) {
    const submit = h('button', { type: 'submit', class: 'primary', 'data-test': 'member-add' }, t('member_add'));
    const form = h('form', { class: 'member-add-form', onsubmit: async (e: Event) => {
      e.preventDefault();
      this.status.textContent = '';
      clear(this.result);
      submit.disabled = true;
      try {
        const r = await this.http.send<{ member: AdminMember } & { code: string; code_expires_at: string }>('POST', '/api/admin/members', {
          phone: this.phone.value.trim(), name: this.name.value.trim(),
          assignments: [{ unit_code: this.unit.value.trim(), role: this.role.value }] });
        const c: OneTimeCode = { code: r.code, expires_at: r.code_expires_at };
        this.result.append(codeBox(c, r.member.name + '（' + r.member.phone + '）'));
        form.reset();
        this.added();
      } catch (err) {
        this.status.textContent = errorText(err);
      } finally {
        submit.disabled = false;
      }
    } },
    h('div', { class: 'pair' }, h('label', {}, t('col_phone'), this.phone), h('label', {}, t('col_name'), this.name)),
    h('div', { class: 'pair' }, h('label', {}, t('unit_code'), this.unit), h('label', {}, t('role'), this.role)),
    this.status, h('div', { class: 'buttons' }, submit));
    this.el = h('details', { class: 'card member-add' }, h('summary', {}, t('member_add_title')), form, this.result);
  }
}
