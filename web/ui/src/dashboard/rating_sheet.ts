// A village's indicator sheet (GET /api/ratings/sheet): each flag or star with its score, what
// the village holds (授予, 摘旗, 预警), every indicator with its value, threshold and source
// (computed from the case figures, or entered by the village with its evidence), the steps the
// member may take (POST /api/ratings/actions: the server's state machine says which), and the
// decisions recorded, newest first.
import { api, ApiError } from '../lib/api';
import { h } from '../lib/dom';
import { formatTime, t } from '../lib/i18n';
import type { RatingSheet, SheetItem, SheetMark } from './rating_types';

export function ratingQuery(scheme: string, unit: string): string {
  return new URLSearchParams({ scheme, unit }).toString();
}

function valueText(it: SheetItem): string {
  if (it.value === null) return it.source === 'computed' ? t('r_no_cases') : t('r_not_entered');
  return String(it.value) + (it.unit_word ? ' ' + it.unit_word : '');
}

function thresholdText(it: SheetItem): string {
  return (it.direction === 'at_most' ? '≤ ' : '≥ ') + String(it.threshold) + (it.unit_word ? ' ' + it.unit_word : '');
}

export class SheetView {
  readonly el = h('section', { class: 'card rating-sheet', hidden: true, 'aria-live': 'polite' });
  private sheet: RatingSheet | null = null;
  closable = true; // not in a village's own view, where the sheet is all there is
  private scheme = '';

  constructor(private token: string, private changed: () => void, private expired: () => void) {}

  async open(scheme: string, unit: string): Promise<void> {
    this.scheme = scheme;
    this.el.hidden = false;
    this.el.dataset.unit = unit;
    try {
      this.render(await api<RatingSheet>('GET', '/api/ratings/sheet?' + ratingQuery(scheme, unit), this.token));
    } catch (e) {
      this.fail(e);
    }
  }

  close(): void {
    this.el.hidden = true;
    this.sheet = null;
    delete this.el.dataset.unit;
  }

  private fail(e: unknown): void {
    if (e instanceof ApiError && e.status === 401) return this.expired();
    const msg = e instanceof ApiError && e.status !== 0 ? e.message : t('err_network');
    const box = this.el.querySelector('[data-role=notice]') ?? this.el;
    box.append(h('p', { class: 'error', role: 'alert', 'data-test': 'rating-error' }, msg));
  }

  private async act(body: Record<string, unknown>): Promise<void> {
    if (!this.sheet) return;
    this.el.querySelectorAll('[data-test=rating-error]').forEach((x) => x.remove());
    try {
      const s = await api<RatingSheet>('POST', '/api/ratings/actions?' + ratingQuery(this.scheme, this.sheet.unit), this.token,
        JSON.stringify(body));
      this.render(s);
      this.changed();
    } catch (e) {
      this.fail(e);
    }
  }

  private render(s: RatingSheet): void {
    this.sheet = s;
    const state = s.assessment?.state ?? '';
    this.el.dataset.state = state;
    this.el.dataset.held = String(s.held);
    const ends = s.assessment?.notice_ends ? t('r_notice_ends', { d: s.assessment.notice_ends.slice(0, 10) }) : '';
    const parts: (HTMLElement | null)[] = [
      h('div', { class: 'card-head' },
        h('h3', {}, t('r_sheet_title', { name: s.unit_name })),
        this.closable ? h('button', { type: 'button', class: 'small-button', 'data-test': 'sheet-close', onclick: () => this.close() }, t('r_close')) : null),
      h('p', { class: 'muted small' }, t('r_period', { from: s.from, to: s.to }), ' · ',
        h('span', { 'data-test': 'sheet-state' }, t('r_state_' + (state || 'none'))), ends ? ' · ' + ends : ''),
      h('div', { 'data-role': 'notice' }),
      this.steps(s),
      ...s.marks.map((m) => this.mark(s, m)),
      this.entryForm(s),
      this.decisions(s)];
    this.el.replaceChildren(...parts.filter((x): x is HTMLElement => x !== null));
  }

  // steps: the process's steps that are not about one mark.
  private steps(s: RatingSheet): HTMLElement | null {
    const acts = ['submit', 'return', 'accept', 'object'].filter((a) => s.may.includes(a));
    if (acts.length === 0) return null;
    const reason = h('input', { type: 'text', name: 'reason', maxlength: 500, placeholder: t('r_reason'), 'aria-label': t('r_reason') });
    return h('div', { class: 'rating-steps' }, reason, ...acts.map((a) => h('button', { type: 'button', class: 'small-button',
      'data-act': a, onclick: () => void this.act({ action: a, reason: reason.value.trim() }) }, t('r_act_' + a))));
  }

  private mark(s: RatingSheet, m: SheetMark): HTMLElement {
    const badges: HTMLElement[] = [];
    if (m.held) badges.push(h('span', { class: 'badge held' }, t(s.kind === 'star' ? 'r_badge_held_star' : 'r_badge_held_flag')));
    if (m.removed) badges.push(h('span', { class: 'badge removed' }, t('r_badge_removed')));
    if (m.warned) badges.push(h('span', { class: 'badge warned' }, t('r_badge_warned')));
    const score = m.score === null ? '—' : String(m.score);
    const reasonBox = h('div', { class: 'rating-reason', hidden: true });
    const ask = (action: 'remove' | 'restore') => () => {
      const input = h('input', { type: 'text', name: 'reason', maxlength: 500, placeholder: t('r_reason'), 'aria-label': t('r_reason') });
      reasonBox.replaceChildren(input, h('button', { type: 'button', class: 'primary', 'data-confirm': action,
        onclick: () => void this.act({ action, mark: m.mark, reason: input.value.trim() }) }, t('r_confirm_' + action)));
      reasonBox.hidden = false;
      input.focus();
    };
    const buttons: HTMLElement[] = [];
    if (s.may.includes('award') && !m.held && !m.removed && m.pass) { // a removed mark is restored
      buttons.push(h('button', { type: 'button', class: 'small-button', 'data-act': 'award',
        onclick: () => void this.act({ action: 'award', mark: m.mark }) }, t('r_act_award')));
    }
    if (s.may.includes('remove') && m.held) {
      buttons.push(h('button', { type: 'button', class: 'small-button', 'data-act': 'remove', onclick: ask('remove') }, t('r_act_remove')));
    }
    if (s.may.includes('restore') && m.removed && m.pass) {
      buttons.push(h('button', { type: 'button', class: 'small-button', 'data-act': 'restore', onclick: ask('restore') }, t('r_act_restore')));
    }
    return h('div', { class: 'rating-mark', 'data-mark': String(m.mark), 'data-held': String(m.held), 'data-warned': String(m.warned) },
      h('div', { class: 'card-head' },
        h('h4', {}, m.name, ...badges),
        h('span', { class: 'muted small' }, t('r_score', { s: score, p: m.pass_score })),
        h('div', { class: 'tools' }, ...buttons)),
      reasonBox,
      h('ul', { class: 'rating-items' }, ...m.items.map((it) => h('li', { 'data-item': it.code, 'data-pass': String(it.pass) },
        h('span', { class: 'item-name' }, it.name),
        h('span', { class: 'item-value' + (it.pass ? '' : it.value === null && it.source === 'computed' ? ' none' : ' fail') }, valueText(it)),
        h('span', { class: 'muted small' }, t('r_threshold'), ' ', thresholdText(it), ' · ', t('r_weight', { w: it.weight }), ' · ',
          t(it.source === 'computed' ? 'r_source_computed' : 'r_source_entered')),
        it.note ? h('span', { class: 'item-note small' }, t('r_evidence'), ': ', it.note,
          it.entered_by ? ' (' + it.entered_by + ')' : '') : null,
        it.photos?.length ? h('span', { class: 'evidence-photos' }, ...it.photos.map((sha) => this.photo(s.unit, sha))) : null))));
  }

  // photo is an evidence thumbnail: the route needs the session's token, so it is fetched.
  private photo(unit: string, sha: string): HTMLElement {
    const img = h('img', { alt: t('r_evidence'), loading: 'lazy', 'data-sha': sha });
    fetch('/api/ratings/evidence/' + encodeURIComponent(sha) + '?' + ratingQuery(this.scheme, unit),
      { headers: { Authorization: 'Bearer ' + this.token } })
      .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(String(r.status)))))
      .then((b) => {
        img.src = URL.createObjectURL(b);
      })
      .catch(() => img.replaceWith(h('span', { class: 'muted small' }, t('r_photo_missing'))));
    return h('a', { href: '#', onclick: (e: Event) => {
      e.preventDefault();
      if (img.src) window.open(img.src, '_blank', 'noopener');
    } }, img);
  }

  // entryForm: the village's (or an administrator's) entries for the indicators it reports.
  private entryForm(s: RatingSheet): HTMLElement | null {
    if (!s.may.includes('enter')) return null;
    const rows = s.marks.flatMap((m) => m.items.filter((it) => it.source === 'entered')).map((it) => {
      const value = h('input', { type: 'number', step: 'any', name: 'value-' + it.code, value: it.value === null ? '' : String(it.value),
        'aria-label': it.name });
      const note = h('input', { type: 'text', name: 'note-' + it.code, maxlength: 500, value: it.note ?? '', placeholder: t('r_evidence'),
        'aria-label': t('r_evidence') + ' ' + it.name });
      return { it, value, note, el: h('div', { class: 'entry-row' }, h('span', { class: 'item-name' }, it.name), value, note) };
    });
    const save = () => {
      const entries = rows.filter((r) => r.value.value !== '' && r.note.value.trim() !== '')
        .map((r) => ({ code: r.it.code, value: Number(r.value.value), note: r.note.value.trim() }));
      if (entries.length) void this.act({ action: 'enter', entries });
    };
    return h('details', { class: 'rating-entries' }, h('summary', {}, t('r_entries')), ...rows.map((r) => r.el),
      h('button', { type: 'button', class: 'primary', 'data-act': 'enter', onclick: save }, t('r_act_enter')));
  }

  private decisions(s: RatingSheet): HTMLElement {
    return h('div', { class: 'rating-decisions' }, h('h4', {}, t('r_decisions')),
      s.decisions.length === 0 ? h('p', { class: 'muted small' }, t('r_no_decisions')) :
        h('ol', {}, ...s.decisions.map((d) => h('li', { 'data-action': d.action },
          h('span', { class: 'muted small' }, formatTime(d.at)), ' ', d.actor, ' ', t('r_act_' + d.action),
          d.mark !== null && s.marks[d.mark - 1] ? ' ' + s.marks[d.mark - 1].name : '', d.reason ? ': ' + d.reason : ''))));
  }
}
