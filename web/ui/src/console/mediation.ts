// The mediation section of the case page (调解记录, docs/mediation.md): the case's attempts with
// their parties, mediators, facts, claims and outcome; a form to record or change one; for a
// settled attempt 生成协议书 (the server's PDF), its signed copies uploaded as photos, and its
// referrals. ID-card numbers and phones come masked unless this desk's centre owns the record,
// and only the owner changes it.
import './mediation.css';
import { api, ApiError, type Session } from '../lib/api';
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { uploadPhoto } from '../lib/photos';
import { errorText } from './actions';
import { RecordForm, refusalText, type RecordBody } from './mediation_form';
import { referralForm, referralItem, resultForm } from './mediation_referral';
import type { Mediation, MediationList } from './mediation_types';

export class MediationPanel {
  readonly el = h('section', { class: 'card mediation', 'data-test': 'mediation' });
  private caseID: number | null = null;
  private list: MediationList | null = null;
  private open = ''; // the form shown: 'new', 'edit:ID', 'refer:ID', 'result:ID:RID'
  private loading = 0;
  private message = h('p', { class: 'med-message', role: 'status' });
  private blobs: string[] = [];

  constructor(private session: Session) {}

  show(caseID: number): void {
    if (caseID !== this.caseID) {
      this.open = '';
      this.release();
      this.message.textContent = '';
      this.list = null;
      this.el.replaceChildren(h('h3', {}, t('med_title')), h('p', { class: 'muted' }, t('loading')));
    }
    this.caseID = caseID;
    void this.load();
  }

  release(): void {
    for (const u of this.blobs) URL.revokeObjectURL(u);
    this.blobs = [];
  }

  private path(suffix = ''): string {
    return `/api/cases/${this.caseID}/mediations${suffix}`;
  }

  async load(): Promise<void> {
    const n = ++this.loading;
    try {
      const list = await api<MediationList>('GET', this.path(), this.session.token);
      if (n !== this.loading) return;
      this.list = list;
      this.render();
    } catch (e) {
      if (n !== this.loading) return;
      this.el.replaceChildren(h('h3', {}, t('med_title')), h('p', { class: 'error', role: 'alert' }, errorText(e)));
    }
  }

  private render(): void {
    const list = this.list;
    if (!list) return;
    if (this.el.contains(document.activeElement) && this.open) return; // a form being typed in stays
    clear(this.el);
    this.el.append(h('h3', {}, t('med_title')));
    if (list.mediations.length === 0) this.el.append(h('p', { class: 'muted' }, t('med_none')));
    for (const m of list.mediations) this.el.append(this.item(m));
    if (this.open === 'new') {
      this.el.append(new RecordForm(list, null, (b) => this.save('POST', this.path(), b), () => this.close()).el);
    } else if (list.may_record && !this.open) {
      this.el.append(h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'act', 'data-test': 'med-new',
        onclick: () => this.show_('new') }, t('med_new'))));
    }
    this.el.append(this.message);
  }

  private show_(form: string): void {
    this.open = form;
    this.message.textContent = '';
    const active = document.activeElement as HTMLElement | null;
    active?.blur();
    this.render();
    this.el.querySelector<HTMLElement>('form input, form select, form textarea')?.focus();
  }

  private close(): void {
    this.open = '';
    (document.activeElement as HTMLElement | null)?.blur();
    this.render();
  }

  private item(m: Mediation): HTMLElement {
    const card = h('article', { class: 'med-item', 'data-test': 'med-item', 'data-id': m.id, 'data-outcome': m.outcome, 'data-owned': String(m.owned) },
      h('div', { class: 'med-head' }, h('strong', {}, t('med_attempt', { n: m.seq })), h('span', { class: 'muted' }, m.centre_name),
        h('span', { class: 'tag med-outcome-' + m.outcome }, t('med_outcome_' + m.outcome))),
      m.code ? h('p', { class: 'med-code', 'data-test': 'med-code' }, t('med_code', { code: m.code })) : null,
      m.owned ? null : h('p', { class: 'muted med-masked' }, t('med_masked', { centre: m.centre_name })),
      h('ul', { class: 'med-party-list' }, m.parties.map((p) => h('li', { 'data-test': 'med-party-line' },
        h('span', { class: 'k' }, t('med_role_' + p.role)), p.name,
        p.id_number || p.phone ? h('div', { class: 'med-ids' },
          p.id_number ? h('span', { class: 'med-id' }, h('span', { class: 'k' }, t('med_id_number')), p.id_number) : null,
          p.phone ? h('span', { class: 'med-phone' }, h('span', { class: 'k' }, t('med_phone')), p.phone) : null) : null))),
      h('dl', { class: 'facts' }, ...pair(t('med_mediators'), m.mediators.map((x) => x.name).join('、')),
        ...pair(t('med_facts'), m.facts), ...pair(t('med_claims'), m.claims), ...pair(t('med_terms'), m.terms),
        ...pair(t('med_settled_on'), m.settled_on ? m.settled_on + (m.confirm_by ? ' · ' + t('med_confirm_by', { at: m.confirm_by }) : '') : '')));
    if (m.referrals.length) {
      card.append(h('ul', { class: 'med-referrals' }, m.referrals.map((r) => referralItem(r, m.owned, () => this.show_(`result:${m.id}:${r.id}`)))));
    }
    if (m.outcome === 'settled') card.append(this.copies(m));
    const buttons = h('div', { class: 'buttons' });
    if (m.outcome === 'settled') {
      buttons.append(h('button', { type: 'button', class: 'act on', 'data-test': 'med-pdf', onclick: (e: Event) => void this.pdf(m, e.currentTarget as HTMLButtonElement) }, t('med_pdf')));
    }
    if (m.owned) {
      buttons.append(h('button', { type: 'button', class: 'act', 'data-test': 'med-edit', onclick: () => this.show_('edit:' + m.id) }, t('med_edit')),
        h('button', { type: 'button', class: 'act', 'data-test': 'med-refer', onclick: () => this.show_('refer:' + m.id) }, t('med_refer')));
    }
    if (buttons.children.length) card.append(buttons);
    const list = this.list!;
    if (this.open === 'edit:' + m.id) {
      card.append(new RecordForm(list, m, (b) => this.save('PUT', this.path('/' + m.id), b), () => this.close()).el);
    } else if (this.open === 'refer:' + m.id) {
      card.append(referralForm(m, (b) => this.send('POST', this.path(`/${m.id}/referrals`), b), () => this.close()));
    } else if (this.open.startsWith(`result:${m.id}:`)) {
      const r = m.referrals.find((x) => `result:${m.id}:${x.id}` === this.open);
      if (r) card.append(resultForm(r, (b) => this.send('PUT', this.path(`/${m.id}/referrals/${r.id}`), b), () => this.close()));
    }
    return card;
  }

  // copies lists the signed copies (the owner's; others see how many) and, for the owner, the
  // upload.
  private copies(m: Mediation): HTMLElement {
    const box = h('div', { class: 'med-copies', 'data-test': 'med-copies' }, h('span', { class: 'k' }, t('med_copies', { n: m.copies_count })));
    const thumbs = h('div', { class: 'photos' });
    for (const sha of m.copies) {
      const img = h('img', { alt: '', 'data-sha': sha });
      const link = h('a', { target: '_blank', rel: 'noopener', 'aria-label': t('med_copy') }, img);
      void fetch(this.path(`/${m.id}/copies/${sha}`), { headers: { Authorization: 'Bearer ' + this.session.token } })
        .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(String(r.status)))))
        .then((b) => {
          const u = URL.createObjectURL(b);
          this.blobs.push(u);
          img.src = u;
          link.href = u;
        }, () => img.classList.add('missing'));
      thumbs.append(link);
    }
    box.append(thumbs);
    if (m.owned) {
      const input = h('input', { type: 'file', accept: 'image/jpeg,image/png,image/webp', multiple: true, class: 'visually-hidden', 'data-test': 'med-copy-input' });
      input.addEventListener('change', () => void this.upload(m, input));
      box.append(h('label', { class: 'button med-upload' }, t('med_upload_copy'), input));
    }
    return box;
  }

  private async upload(m: Mediation, input: HTMLInputElement): Promise<void> {
    const files = [...(input.files ?? [])];
    input.value = '';
    try {
      for (const [i, f] of files.entries()) {
        this.say(t('med_uploading', { i: i + 1, n: files.length }), 'notice');
        const sha = await uploadPhoto(this.session.token, f);
        await api('POST', this.path(`/${m.id}/copies`), this.session.token, JSON.stringify({ sha256: sha }));
      }
      this.say(t('med_copies_saved'), 'notice');
      await this.load();
    } catch (e) {
      this.say(e instanceof ApiError && e.status === 415 ? t('photo_refused_type', { name: files[0]?.name ?? '' }) : errorText(e), 'error');
    }
  }

  // pdf downloads the agreement the server writes.
  private async pdf(m: Mediation, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      const res = await fetch(this.path(`/${m.id}/agreement.pdf`), { headers: { Authorization: 'Bearer ' + this.session.token }, cache: 'no-store' });
      if (!res.ok) {
        const data = await res.json().catch(() => ({}));
        throw new ApiError(res.status, data.error ?? 'http_' + res.status, data.message ?? res.statusText);
      }
      const url = URL.createObjectURL(await res.blob());
      const a = h('a', { href: url, download: `agreement-${this.caseID}-${m.seq}.pdf` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (e) {
      this.say(e instanceof TypeError ? t('err_network') : errorText(e), 'error');
    } finally {
      button.disabled = false;
    }
  }

  private save(method: string, path: string, b: RecordBody): Promise<void> {
    return this.send(method, path, b as unknown as Record<string, unknown>);
  }

  // send writes a change; a refusal is thrown worded for the form, which shows it.
  private async send(method: string, path: string, body: Record<string, unknown>): Promise<void> {
    try {
      await api(method, path, this.session.token, JSON.stringify(body));
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) void this.load();
      throw new Error(refusalText(e, errorText));
    }
    this.open = '';
    (document.activeElement as HTMLElement | null)?.blur();
    this.say(t('med_saved'), 'notice');
    await this.load();
  }

  private say(text: string, kind: 'notice' | 'error'): void {
    this.message.className = 'med-message ' + kind;
    this.message.textContent = text;
  }
}

function pair(k: string, v: string): HTMLElement[] {
  return v ? [h('dt', {}, k), h('dd', { class: 'med-text' }, v)] : [];
}
