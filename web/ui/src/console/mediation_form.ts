// The form of a mediation record (调解记录): parties with their ID-card numbers and phones,
// mediators (the centre's, ticked, and outside mediators by name), facts, claims, the outcome
// and, once settled, the terms agreed. The server checks everything again (GB 11643 check
// digits included); here the check digit is checked as it is typed, to catch a slip at once.
import { ApiError } from '../lib/api';
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import type { Mediation, MediationList, Mediator, Outcome, Party } from './mediation_types';

export interface RecordBody {
  version: number;
  facts: string;
  claims: string;
  outcome: Outcome;
  terms: string;
  parties: Party[];
  mediators: Mediator[];
}

const roles: Party['role'][] = ['applicant', 'respondent', 'other'];
const outcomes: Outcome[] = ['pending', 'settled', 'unsettled', 'referred'];

// idNumberOK checks an ID-card number's length, date and check character (GB 11643).
export function idNumberOK(id: string): boolean {
  if (!/^\d{17}[\dX]$/.test(id)) return false;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(id[i]) * w[i];
  const y = Number(id.slice(6, 10)), m = Number(id.slice(10, 12)), d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return false;
  return '10X98765432'[sum % 11] === id[17];
}

// refusalText words a refused record: the field at fault, in the user's language.
export function refusalText(e: unknown, fallback: (e: unknown) => string): string {
  if (!(e instanceof ApiError) || e.code !== 'bad_mediation') return fallback(e);
  const field = (e.data as { field?: string } | undefined)?.field ?? '';
  const m = /^parties\[(\d+)\]\.(\w+)$/.exec(field);
  if (m) return t('med_bad_party_' + m[2], { n: Number(m[1]) + 1 });
  const key = 'med_bad_' + field.replace(/\[\d+\]\.?/, '_');
  const s = t(key);
  return s !== key ? s : e.message;
}

export class RecordForm {
  readonly el: HTMLFormElement;
  private partyRows = h('div', { class: 'med-parties' });
  private message = h('p', { class: 'med-message error', role: 'alert' });
  private facts: HTMLTextAreaElement;
  private claims: HTMLTextAreaElement;
  private outcome: HTMLSelectElement;
  private terms: HTMLTextAreaElement;
  private termsLabel: HTMLElement;
  private outside: HTMLInputElement;
  private ticks: { m: Mediator; box: HTMLInputElement }[] = [];

  constructor(list: MediationList, private record: Mediation | null, private submit: (b: RecordBody) => Promise<void>, cancel: () => void) {
    const r = record;
    this.facts = h('textarea', { name: 'facts', rows: 3, maxlength: 5000 });
    this.facts.value = r?.facts ?? '';
    this.claims = h('textarea', { name: 'claims', rows: 2, maxlength: 5000 });
    this.claims.value = r?.claims ?? '';
    this.outcome = h('select', { name: 'outcome', onchange: () => this.showTerms() },
      outcomes.map((o) => h('option', { value: o, selected: (r?.outcome ?? 'pending') === o }, t('med_outcome_' + o))));
    this.terms = h('textarea', { name: 'terms', rows: 4, maxlength: 5000, placeholder: t('med_terms_hint') });
    this.terms.value = r?.terms ?? '';
    this.termsLabel = h('label', {}, t('med_terms'), this.terms);
    const chosen = new Set((r?.mediators ?? []).filter((m) => m.member_id !== null).map((m) => m.member_id));
    if (!r) chosen.add(list.me);
    const centreMediators = list.centre_mediators.length ? list.centre_mediators : (r?.mediators ?? []).filter((m) => m.member_id !== null);
    this.ticks = centreMediators.map((m) => ({ m, box: h('input', { type: 'checkbox', name: 'mediator', value: String(m.member_id), checked: chosen.has(m.member_id) }) }));
    this.outside = h('input', { name: 'outside', maxlength: 200, placeholder: t('med_outside_hint') });
    this.outside.value = (r?.mediators ?? []).filter((m) => m.member_id === null).map((m) => m.name).join('、');
    for (const p of r?.parties ?? [{ role: 'applicant', name: '', id_number: '', phone: '' }, { role: 'respondent', name: '', id_number: '', phone: '' }]) {
      this.addParty(p as Party);
    }
    this.el = h('form', { class: 'med-form act-form', novalidate: true, 'data-test': 'med-form', onsubmit: (e: Event) => {
      e.preventDefault();
      void this.send();
    } },
    h('h4', {}, r ? t('med_edit_title', { n: r.seq }) : t('med_new_title')),
    h('fieldset', { class: 'med-fieldset' }, h('legend', {}, t('med_parties')), this.partyRows,
      h('button', { type: 'button', class: 'act', 'data-test': 'med-add-party', onclick: () => this.addParty({ role: 'other', name: '', id_number: '', phone: '' }) }, t('med_add_party'))),
    h('fieldset', { class: 'med-fieldset' }, h('legend', {}, t('med_mediators')),
      this.ticks.map(({ m, box }) => h('label', { class: 'check' }, box, m.name)),
      h('label', {}, t('med_outside'), this.outside)),
    h('label', {}, t('med_facts'), this.facts),
    h('label', {}, t('med_claims'), this.claims),
    h('label', {}, t('med_outcome'), this.outcome),
    this.termsLabel,
    this.message,
    h('div', { class: 'buttons' },
      h('button', { type: 'submit', class: 'primary', 'data-test': 'med-save' }, t('med_save')),
      h('button', { type: 'button', class: 'link', onclick: cancel }, t('cancel'))));
    this.showTerms();
  }

  private showTerms(): void {
    this.termsLabel.hidden = this.outcome.value !== 'settled';
  }

  private addParty(p: Party): void {
    if (this.partyRows.children.length >= 20) return;
    const role = h('select', { name: 'role' }, roles.map((x) => h('option', { value: x, selected: p.role === x }, t('med_role_' + x))));
    const name = h('input', { name: 'name', maxlength: 50, value: p.name, autocomplete: 'off' });
    const id = h('input', { name: 'id_number', maxlength: 18, value: p.id_number, autocomplete: 'off', inputmode: 'text', spellcheck: false });
    const phone = h('input', { name: 'phone', maxlength: 20, value: p.phone, type: 'tel', autocomplete: 'off' });
    const idNote = h('span', { class: 'med-id-note error' });
    id.addEventListener('input', () => {
      id.value = id.value.toUpperCase().replace(/\s/g, '');
      const bad = id.value.length === 18 && !idNumberOK(id.value);
      idNote.textContent = bad ? t('med_id_bad') : '';
      id.setAttribute('aria-invalid', String(bad));
    });
    const row: HTMLElement = h('div', { class: 'med-party', 'data-test': 'med-party' },
      h('label', {}, t('med_role'), role), h('label', {}, t('med_name'), name),
      h('label', {}, t('med_id_number'), id, idNote), h('label', {}, t('med_phone'), phone),
      h('button', { type: 'button', class: 'link med-remove', onclick: () => row.remove() }, t('med_remove_party')));
    this.partyRows.append(row);
  }

  body(): RecordBody {
    const parties = [...this.partyRows.querySelectorAll<HTMLElement>('.med-party')].map((row) => ({
      role: row.querySelector<HTMLSelectElement>('[name=role]')!.value as Party['role'],
      name: row.querySelector<HTMLInputElement>('[name=name]')!.value.trim(),
      id_number: row.querySelector<HTMLInputElement>('[name=id_number]')!.value.trim(),
      phone: row.querySelector<HTMLInputElement>('[name=phone]')!.value.trim(),
    }));
    const mediators: Mediator[] = this.ticks.filter(({ box }) => box.checked).map(({ m }) => ({ member_id: m.member_id, name: m.name }));
    for (const name of this.outside.value.split(/[、,，;；]/).map((s) => s.trim()).filter(Boolean)) mediators.push({ member_id: null, name });
    return { version: this.record?.version ?? 0, facts: this.facts.value, claims: this.claims.value, outcome: this.outcome.value as Outcome,
      terms: this.outcome.value === 'settled' ? this.terms.value : '', parties, mediators };
  }

  private async send(): Promise<void> {
    const b = this.body();
    const bad = b.parties.findIndex((p) => p.id_number !== '' && !idNumberOK(p.id_number));
    if (bad >= 0) return this.say(t('med_bad_party_id_number', { n: bad + 1 }));
    if (b.parties.some((p) => p.name === '')) return this.say(t('med_need_names'));
    if (b.mediators.length === 0) return this.say(t('med_bad_mediators'));
    if (b.outcome === 'settled' && b.terms.trim() === '') return this.say(t('med_bad_terms'));
    const button = this.el.querySelector<HTMLButtonElement>('[type=submit]')!;
    button.disabled = true;
    this.say('');
    try {
      await this.submit(b);
    } catch (e) {
      this.say(String((e as Error).message));
    } finally {
      button.disabled = false;
    }
  }

  say(text: string): void {
    this.message.textContent = text;
  }
}
