// One case the worker reported: where it stands, what each centre did (the history), and, when
// the centre has settled it, the verification task (核查): confirm on site (核查通过) or send it
// back (返工) with a photo and a note. Verifying needs a connection: it acts on the case's current
// version, so it is never queued in the outbox.
import { ApiError, type Session } from '../lib/api';
import { clear, h } from '../lib/dom';
import { formatTime, t } from '../lib/i18n';
import { uploadPhoto } from '../lib/photos';
import { act, caseStateText, latestSettle, loadCase, outcomeText, tierText, transitionText, type CaseDetail, type HistoryRow } from './case_api';
import { callbackBox } from './callback_view';
import { PhonePhotoPicker } from './photo_picker';
import { showPhoto } from './photos';

export type CaseChanged = (id: number, state: string, level: number, version: number) => void;

export class CaseView {
  el = h('section', { class: 'case-detail', 'data-test': 'case', hidden: true });
  caseID = 0;
  private detail: CaseDetail | null = null;
  private busy = false;
  private head = h('div', { class: 'case-head' });
  private body = h('div', { class: 'case-body' });
  private offline = h('p', { class: 'offline-note', role: 'status', hidden: true }, t('verify_needs_network'));
  private note = h('textarea', { name: 'verify_note', rows: 3, maxlength: 2000, placeholder: t('verify_note_hint') });
  private photos = new PhonePhotoPicker((m) => this.say(m, true), t('verify_photos'));
  private uploaded = new WeakMap<Blob, string>(); // photos already uploaded, kept for a retry
  private verifyButton = h('button', { type: 'button', class: 'primary', 'data-action': 'verify', onclick: () => void this.submit('verify') }, t('verify'));
  private reworkButton = h('button', { type: 'button', class: 'secondary', 'data-action': 'rework', onclick: () => void this.submit('rework') }, t('rework'));
  private message = h('p', { class: 'notice', role: 'status', 'data-test': 'verify-message' });
  private form = h('section', { class: 'verify', 'data-test': 'verify' },
    h('h3', {}, t('verify_title')),
    h('label', {}, t('verify_note'), this.note),
    this.photos.el, this.offline,
    h('div', { class: 'verify-buttons' }, this.verifyButton, this.reworkButton));

  constructor(
    private session: Session,
    private online: () => boolean,
    back: () => void,
    private changed: CaseChanged,
    private category: (code: string) => string,
  ) {
    this.el.append(
      h('button', { type: 'button', class: 'link back', 'data-test': 'back', onclick: back }, t('back')),
      this.head, this.message, this.body);
    this.setOnline(online());
  }

  open(id: number): void {
    if (id !== this.caseID) {
      this.note.value = '';
      this.photos.reset();
    }
    this.caseID = id;
    this.detail = null;
    delete this.el.dataset.state;
    this.say('');
    clear(this.head);
    this.head.append(h('h2', {}, t('case_no', { n: id })));
    clear(this.body);
    this.el.hidden = false;
    void this.load();
  }

  close(): void {
    this.el.hidden = true;
    this.caseID = 0;
  }

  // onStatus reloads the open case when the server says it moved (from any phone or centre),
  // unless the page already shows that version (the worker's own action).
  onStatus(id: number, version?: number): void {
    if (this.el.hidden || id !== this.caseID || this.busy) return;
    if (version !== undefined && this.detail && version <= this.detail.case.version) return;
    void this.load();
  }

  setOnline(on: boolean): void {
    this.offline.hidden = on;
    this.verifyButton.disabled = !on || this.busy;
    this.reworkButton.disabled = !on || this.busy;
    if (on && !this.el.hidden && !this.detail) void this.load();
  }

  private async load(): Promise<void> {
    const id = this.caseID;
    try {
      const d = await loadCase(this.session.token, id);
      if (id !== this.caseID) return;
      this.detail = d;
      this.render(d);
      this.changed(d.case.id, d.case.state, d.case.level, d.case.version);
    } catch (e) {
      if (id !== this.caseID || this.detail) return;
      clear(this.body);
      const status = e instanceof ApiError ? e.status : 0;
      this.body.append(h('p', { class: 'error' }, status === 0 ? t('case_offline') : t('refused', { msg: (e as Error).message })));
    }
  }

  private render(d: CaseDetail): void {
    const c = d.case;
    this.el.dataset.state = c.state;
    this.el.dataset.version = String(c.version);
    clear(this.head);
    this.head.append(
      h('div', { class: 'row-head' },
        h('h2', {}, this.category(c.category), ' · ', t('case_no', { n: c.id })),
        h('span', { class: 'state state-case-' + c.state }, caseStateText(c.state))),
      h('div', { class: 'meta' },
        c.state !== 'closed' ? h('span', {}, tierText(c.level)) : null,
        h('span', {}, (d.units ?? []).map((u) => u.name).join(' › '))));
    clear(this.body);
    const settle = latestSettle(d);
    if (settle && (c.state === 'verifying' || c.state === 'closed')) this.body.append(this.settleBox(settle));
    const cb = callbackBox(d);
    if (cb) this.body.append(cb);
    const actions = d.actions ?? [];
    if (c.state === 'verifying' && (actions.includes('verify') || actions.includes('rework'))) this.body.append(this.form);
    // The worker's own photos, and every photo the centres attached (the settle's are above).
    const centre = (d.history ?? []).filter((r) => r !== settle && r.photos?.length && !['reported', 'verify', 'rework'].includes(r.transition))
      .flatMap((r) => r.photos ?? []);
    this.body.append(...[
      h('h3', {}, t('case_report')),
      h('p', { class: 'case-desc' }, c.description),
      c.photos?.length ? h('div', { 'data-test': 'own-photos' }, h('div', { class: 'label' }, t('own_photos', { n: c.photos.length })), this.thumbs(c.photos)) : null,
      centre.length ? h('div', { 'data-test': 'centre-photos' }, h('div', { class: 'label' }, t('centre_photos', { n: centre.length })), this.thumbs(centre)) : null,
      h('h3', {}, t('case_history')),
      h('ol', { class: 'history' }, [...(d.history ?? [])].reverse().map((r) => this.historyRow(r)))].filter((x) => x !== null));
  }

  private thumbs(list: string[]): HTMLElement {
    const photos = h('div', { class: 'thumbs' });
    list.forEach((sha, i) => {
      const img = h('img', { alt: t('photo_n', { n: i + 1 }), 'data-sha256': sha });
      void showPhoto(img, this.session.token, sha);
      photos.append(img);
    });
    return photos;
  }

  private settleBox(r: HistoryRow): HTMLElement {
    const photos = this.thumbs(r.photos ?? []);
    return h('section', { class: 'settle', 'data-test': 'settle' },
      h('h3', {}, t('settle_title', { tier: tierText(r.level) })),
      h('p', { class: 'outcome', 'data-outcome': r.outcome ?? '' }, outcomeText(r.outcome)),
      h('p', { class: 'case-desc' }, r.reason),
      h('div', { class: 'meta' }, h('span', {}, r.actor?.name ?? ''), h('span', {}, formatTime(r.at))),
      photos);
  }

  private historyRow(r: HistoryRow): HTMLElement {
    return h('li', { 'data-transition': r.transition },
      h('div', { class: 'meta' },
        h('strong', {}, transitionText(r.transition)),
        h('span', {}, formatTime(r.at)),
        r.actor ? h('span', {}, r.actor.name) : h('span', {}, t('system')),
        h('span', {}, caseStateText(r.to_state), r.to_state !== 'closed' ? ' · ' + tierText(r.level) : '')),
      r.outcome ? h('div', { class: 'outcome' }, outcomeText(r.outcome)) : null,
      r.reason ? h('p', { class: 'case-desc' }, r.reason) : null,
      r.photos?.length ? h('div', { class: 'meta' }, t('photo_count', { n: r.photos.length })) : null);
  }

  private say(text: string, error = false, done = false): void {
    this.message.textContent = text;
    this.message.classList.toggle('error', error);
    this.message.classList.toggle('done', done);
  }

  private setBusy(b: boolean): void {
    this.busy = b;
    this.setOnline(this.online());
  }

  private async submit(action: 'verify' | 'rework'): Promise<void> {
    const d = this.detail;
    if (!d || this.busy) return;
    const note = this.note.value.trim();
    if (action === 'rework' && !note) {
      this.say(t('need_rework_reason'), true);
      this.note.focus();
      return;
    }
    if (!this.online()) {
      this.say(t('verify_needs_network'), true);
      return;
    }
    this.setBusy(true);
    this.say(t('verify_sending'));
    try {
      const hashes: string[] = [];
      for (const f of this.photos.files) {
        let sha = this.uploaded.get(f);
        if (!sha) {
          sha = await uploadPhoto(this.session.token, f);
          this.uploaded.set(f, sha);
        }
        hashes.push(sha);
      }
      const res = await act(this.session.token, d.case.id, action, d.case.version, note, hashes);
      this.note.value = '';
      this.photos.reset();
      this.changed(res.case.id, res.case.state, res.case.level, res.case.version);
      this.say(t(action === 'verify' ? 'verified' : 'reworked', { tier: tierText(res.case.level) }), false, true);
      await this.load();
      // The worker pressed the button at the bottom of a long page: the answer is brought to them.
      this.message.scrollIntoView({ block: 'center' });
    } catch (e) {
      await this.failed(e);
    } finally {
      this.setBusy(false);
    }
  }

  private async failed(e: unknown): Promise<void> {
    const err = e instanceof ApiError ? e : new ApiError(0, 'network', String(e));
    if (err.status === 0) {
      this.say(t('verify_needs_network'), true);
    } else if (err.code === 'stale_version' || err.code === 'not_allowed') {
      await this.load(); // what changed is now on screen; the note and photos are kept
      this.say(t(err.code === 'stale_version' ? 'stale_reloaded' : 'no_longer_verifying'), true);
    } else if (err.status === 401) {
      this.say(t('session_expired'), true);
    } else {
      this.say(t('refused', { msg: err.message }), true);
    }
  }
}
