// The case page's actions: a button for each action the server lists for this member, and for
// those that need words (notes, a reason, an outcome, a centre) or photos (调处, 办结) a small
// form. Drafts and picked photos survive the case being reloaded under them. Refusals are shown
// in words: someone acting first (409) reloads the case; the workflow's own refusals (422) say
// which rule stood in the way; a refused photo (415, 413) is named.
import { api, ApiError, type Session } from '../lib/api';
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { Attachments } from './attachments';
import { satisfactionField } from './callback_form';
import { defaultUntil, extensionNote } from './extension';
import { dispute } from './format';
import { gradeFields } from './grade';
import { actionLabel } from './park_review';
import { leaderPicker } from './leader';
import type { CasePage, TransitionResult } from './types';

interface Fields {
  reason?: string; // the key of its label; absent: no text
  parties?: boolean;
  outcome?: boolean;
  centre?: boolean;
  photos?: boolean;
  grade?: boolean; // a risk grade and 重大 (grade.ts)
  satisfaction?: boolean; // 回访: the party's answer (callback_form.ts)
  optional?: boolean; // the text may be left empty
  date?: string; // the key of the label of a date and time (until): extension.ts
  code?: boolean; // decline (退单): a reason code
  declineTo?: boolean; // decline_uphold: a centre from decline_to
  member?: boolean; // lead_handover: a county leader from lead_to (leader.ts)
}

const forms: Record<string, Fields> = {
  accept: {},
  mediate: { reason: 'notes', parties: true, photos: true },
  settle: { outcome: true, reason: 'notes_settle', photos: true },
  escalate: { reason: 'escalate_reason' },
  return: { reason: 'return_instructions' },
  transfer: { centre: true, reason: 'transfer_reason' },
  urge: { reason: 'urge_reason' },
  verify: {},
  rework: { reason: 'reason' },
  regrade: { grade: true, reason: 'regrade_reason' },
  lead: {},
  // 领导包案 handed over or given up (leader.ts).
  lead_handover: { member: true, reason: 'handover_reason', optional: true },
  lead_release: { reason: 'release_reason' },
  callback: { satisfaction: true, reason: 'callback_note' },
  callback_try: { reason: 'callback_try_note', optional: true },
  // Extension (延期) and parking (挂账), extension.ts.
  extend_request: { date: 'extension_until', reason: 'extension_reason' },
  extend_approve: {},
  extend_refuse: { reason: 'refuse_reason' },
  park: { date: 'park_review', reason: 'park_reason' },
  unpark: {},
  // Declining (退单) and the ruling of the centre above.
  decline: { code: true, reason: 'decline_reason' },
  decline_uphold: { declineTo: true, reason: 'ruling' },
  decline_overrule: { reason: 'ruling' },
};

const declineReasons = ['not_ours', 'wrong_address', 'duplicate', 'other'];

const outcomes = ['mediated', 'handled', 'unsettled'];

// errorText words a refusal for the user.
export function errorText(e: unknown): string {
  if (!(e instanceof ApiError)) return e instanceof Error ? e.message : String(e);
  if (e.status === 0) return t('err_network');
  if (e.status === 409) return t('err_stale');
  if (e.status === 403) return t('err_forbidden');
  if (e.status === 404) return t('err_not_found');
  const key = 'err_' + e.code;
  const s = t(key);
  return s !== key ? s : e.message;
}

export interface ActionEvents {
  done(action: string, res: TransitionResult): void;
  stale(): void; // someone acted first: reload the case
}

export class ActionPanel {
  readonly el = h('section', { class: 'actions card' });
  private drafts = new Map<string, Record<string, string>>();
  private current: string | null = null;
  private page: CasePage | null = null;
  private busy = false;
  private message = h('p', { class: 'action-message', role: 'alert' });
  private attachments: Attachments;

  constructor(private session: Session, private on: ActionEvents) {
    this.attachments = new Attachments(session.token, (m) => this.say(m, 'error'));
  }

  // release lets go of the photos picked but not sent (the case page closes).
  release(): void {
    this.attachments.release();
  }

  // show draws the panel for the case as now loaded, keeping an open form and its draft.
  show(page: CasePage): void {
    this.page = page;
    if (this.current && !page.actions.includes(this.current)) this.current = null;
    this.render();
  }

  say(text: string, kind: 'error' | 'notice'): void {
    this.message.textContent = text;
    this.message.className = 'action-message ' + kind;
  }

  // trigger is a keyboard shortcut: a one-step action is taken, the others open their form.
  trigger(action: string): boolean {
    if (!this.page?.actions.includes(action)) return false;
    this.choose(action);
    return true;
  }

  private choose(action: string): void {
    const f = forms[action] ?? { reason: 'reason' };
    if (!f.reason && !f.centre && !f.outcome && !f.date && !f.code && !f.declineTo && !f.member) {
      void this.submit(action, this.drafts.get(action) ?? {}); // accept: with the grade picked beside it
      return;
    }
    this.current = action;
    this.say('', 'notice');
    this.render();
    this.el.querySelector<HTMLElement>('form [name=outcome], form [name=to_centre], form [name=reason_code], form [name=to_member], form textarea')?.focus();
  }

  // render redraws the panel; a field being typed in keeps the focus and the caret.
  private render(): void {
    const active = document.activeElement;
    const focused = active instanceof HTMLElement && this.el.contains(active) ? active.getAttribute('name') : null;
    const caret = active instanceof HTMLTextAreaElement || active instanceof HTMLInputElement ? active.selectionStart : null;
    this.draw();
    if (!focused) return;
    const again = this.el.querySelector<HTMLElement>(`form [name="${focused}"]`);
    again?.focus();
    if (caret !== null && (again instanceof HTMLTextAreaElement || again instanceof HTMLInputElement)) again.setSelectionRange(caret, caret);
  }

  private draw(): void {
    clear(this.el);
    const page = this.page;
    if (!page) return;
    this.el.append(h('h3', {}, t('actions')));
    const note = extensionNote(page); // what a supervisor decides, or why the case waits
    if (note) this.el.append(note);
    if (page.actions.length === 0) {
      this.el.append(h('p', { class: 'muted' }, t('no_actions')), this.message);
      return;
    }
    this.el.append(h('div', { class: 'buttons' }, page.actions.map((a) =>
      h('button', { type: 'button', class: 'act' + (a === this.current ? ' on' : ''), 'data-action': a,
        disabled: this.busy, onclick: () => this.choose(a) }, t(actionLabel(a, page.case.state))))));
    // Where 办结 would be: why a dispute cannot be settled before a mediation is recorded.
    if (page.case.state === 'accepted' && dispute(page.case.category) && page.actions.includes('mediate') && !page.actions.includes('settle')) {
      this.el.append(h('p', { class: 'muted settle-why', 'data-test': 'settle-why' }, t('settle_needs_mediation')));
    }
    // 受理 carries an optional risk grade, picked beside its button (grade.ts).
    if (page.actions.includes('accept')) {
      const draft = this.drafts.get('accept') ?? {};
      this.drafts.set('accept', draft);
      this.el.append(h('div', { class: 'accept-grade', 'data-test': 'accept-grade' },
        h('p', { class: 'muted' }, t('grade_at_accept')), gradeFields(draft, true)));
    }
    if (this.current) this.el.append(this.form(this.current, page));
    this.el.append(this.message);
  }

  private form(action: string, page: CasePage): HTMLElement {
    const f = forms[action] ?? { reason: 'reason' };
    const draft = this.drafts.get(action) ?? {};
    this.drafts.set(action, draft);
    const keep = (name: string) => (e: Event) => {
      draft[name] = (e.target as HTMLInputElement).value;
    };
    const parts: HTMLElement[] = [];
    // Settled from accepted, with no mediation recorded, a matter can only be handled (已处置);
    // the server holds the same rule (docs/cases.md).
    const handledOnly = action === 'settle' && page.case.state === 'accepted';
    if (handledOnly) {
      draft.outcome = 'handled';
      parts.push(h('p', { class: 'muted settle-handled', 'data-test': 'settle-handled' }, t('settle_handled')));
    }
    if (f.outcome) {
      const choices = handledOnly ? ['handled'] : outcomes;
      const sel = h('select', { name: 'outcome', required: true, onchange: keep('outcome') },
        handledOnly ? null : h('option', { value: '' }, t('choose')), choices.map((o) => h('option', { value: o }, t('outcome_' + o))));
      sel.value = draft.outcome ?? '';
      parts.push(h('label', {}, t('outcome'), sel));
    }
    if (f.satisfaction) parts.push(satisfactionField(draft));
    if (f.centre) {
      const sel = h('select', { name: 'to_centre', required: true, onchange: keep('to_centre') },
        h('option', { value: '' }, t('choose')), (page.transfer_to ?? []).map((c) => h('option', { value: c.code }, c.name)));
      sel.value = draft.to_centre ?? '';
      parts.push(h('label', {}, t('to_centre'), sel));
    }
    if (f.grade) parts.push(gradeFields(draft, false));
    if (f.code) {
      const sel = h('select', { name: 'reason_code', required: true, onchange: keep('reason_code') },
        h('option', { value: '' }, t('choose')), declineReasons.map((c) => h('option', { value: c }, t('decline_' + c))));
      sel.value = draft.reason_code ?? '';
      parts.push(h('label', {}, t('reason_code'), sel));
    }
    if (f.declineTo) {
      const sel = h('select', { name: 'to_centre', required: true, onchange: keep('to_centre') },
        h('option', { value: '' }, t('choose')), (page.decline_to ?? []).map((c) => h('option', { value: c.code }, c.name)));
      sel.value = draft.to_centre ?? '';
      parts.push(h('label', {}, t('decline_to'), sel));
    }
    if (f.member) parts.push(leaderPicker(draft, page));
    if (f.date) {
      draft.until ??= defaultUntil(action, page);
      const inp = h('input', { name: 'until', type: 'datetime-local', required: true, oninput: keep('until'), onchange: keep('until') });
      inp.value = draft.until;
      parts.push(h('label', {}, t(f.date), inp));
    }
    if (f.reason) {
      const ta = h('textarea', { name: 'reason', rows: 3, maxlength: 2000, required: !f.optional, oninput: keep('reason') });
      ta.value = draft.reason ?? '';
      parts.push(h('label', {}, t(handledOnly ? 'notes_handled' : f.reason), ta));
    }
    if (f.parties) {
      const inp = h('input', { name: 'parties', maxlength: 500, oninput: keep('parties') });
      inp.value = draft.parties ?? '';
      parts.push(h('label', {}, t('parties'), inp));
    }
    if (f.photos) {
      const picker = this.attachments.picker(action);
      picker.input.disabled = this.busy;
      parts.push(picker.el);
    }
    return h('form', { class: 'act-form', 'data-action': action, novalidate: true, onsubmit: (e: Event) => {
      e.preventDefault();
      if (f.outcome && !draft.outcome) return this.say(t('need_choice', { what: t('outcome') }), 'error');
      if (f.code && !draft.reason_code) return this.say(t('need_choice', { what: t('reason_code') }), 'error');
      if (f.declineTo && !draft.to_centre) return this.say(t('need_choice', { what: t('decline_to') }), 'error');
      if (f.member && !draft.to_member) return this.say(t('need_choice', { what: t('handover_to') }), 'error');
      if (f.date && !draft.until) return this.say(t('need_date', { what: t(f.date) }), 'error');
      if (f.centre && !draft.to_centre) return this.say(t('need_choice', { what: t('to_centre') }), 'error');
      if (f.grade && !draft.grade) return this.say(t('need_choice', { what: t('grade') }), 'error');
      if (f.satisfaction && !draft.satisfaction) return this.say(t('need_choice', { what: t('satisfaction') }), 'error');
      if (f.reason && !f.optional && !draft.reason?.trim()) return this.say(t('need_text', { what: t(handledOnly ? 'notes_handled' : f.reason) }), 'error');
      void this.submit(action, draft);
    } },
    h('h4', {}, t(actionLabel(action, this.page?.case.state ?? ''))), ...parts,
    h('div', { class: 'buttons' },
      h('button', { type: 'submit', class: 'primary', disabled: this.busy }, t('submit')),
      h('button', { type: 'button', class: 'link', onclick: () => {
        this.current = null;
        this.render();
      } }, t('cancel'))));
  }

  private async submit(action: string, draft: Record<string, string>): Promise<void> {
    const page = this.page;
    if (!page || this.busy) return;
    this.busy = true;
    this.render();
    try {
      const photos = await this.attachments.upload(action, (i, n) => this.say(t('uploading', { i, n }), 'notice'));
      const body = {
        action, version: page.case.version, reason: draft.reason?.trim() ?? '', outcome: draft.outcome ?? '',
        to_centre: draft.to_centre ?? '', parties: draft.parties?.trim() ?? '', photos,
        grade: draft.grade ?? '', major: draft.major === '1',
        ...(draft.satisfaction ? { satisfaction: draft.satisfaction } : {}),
        ...(draft.until ? { until: new Date(draft.until).toISOString() } : {}),
        ...(draft.reason_code ? { reason_code: draft.reason_code } : {}),
        ...(draft.to_member ? { to_member: Number(draft.to_member) } : {}),
      };
      const res = await api<TransitionResult>('POST', `/api/cases/${page.case.id}/transitions`, this.session.token, JSON.stringify(body));
      this.drafts.delete(action);
      this.attachments.sent(action);
      this.current = null;
      this.busy = false;
      this.say(t('done', { what: t('act_' + action) }), 'notice');
      this.on.done(action, res);
    } catch (e) {
      this.busy = false;
      this.say(errorText(e), 'error');
      this.render();
      if (e instanceof ApiError && (e.status === 409 || e.status === 422)) this.on.stale();
    }
  }
}
