// The agreement's template (调解协议书模板, docs/mediation.md): GET/PUT
// /api/admin/agreement-template. A title and a body with placeholders ({{centre}}, {{terms}}, …)
// that each agreement fills in; the placeholders are buttons that insert themselves where the
// cursor is. The server refuses an unknown placeholder; county administrators edit, others read.
import './agreement_template.css';
import { ApiError } from '../lib/api';
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { errorText, type Http } from './http';
import { readOnlyNote } from './rules_card';

interface Template { title: string; body: string; placeholders: string[]; max_title: number; max_body: number }

export class AgreementTemplatePage {
  readonly el: HTMLElement;
  private title = h('input', { name: 'title', maxlength: 100 });
  private body = h('textarea', { name: 'body', rows: 24, spellcheck: false });
  private chips = h('div', { class: 'placeholders', 'data-test': 'placeholders' });
  private status = h('p', { class: 'error', role: 'alert' });
  private note = h('p', { class: 'notice', role: 'status' });
  private started = false;

  constructor(private http: Http, private canEdit: boolean) {
    this.title.readOnly = this.body.readOnly = !canEdit;
    const save = h('button', { type: 'submit', class: 'primary', 'data-test': 'save' }, t('save'));
    this.el = h('div', { class: 'page agreement-page' }, h('section', { class: 'card' },
      h('h3', {}, t('agreement_title')), h('p', { class: 'muted small' }, t('agreement_help')),
      readOnlyNote(canEdit, t('agreement_read_only')),
      h('form', { novalidate: true, onsubmit: (e: Event) => {
        e.preventDefault();
        void this.save(save);
      } },
      h('label', {}, t('agreement_field_title'), this.title),
      h('div', { class: 'label' }, t('agreement_placeholders')), this.chips,
      h('label', {}, t('agreement_field_body'), this.body),
      this.status, this.note, canEdit ? h('div', { class: 'buttons' }, save) : null)));
  }

  show(): void {
    if (this.started) return;
    this.started = true;
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.fill(await this.http.get<Template>('/api/admin/agreement-template'));
      this.el.dataset.loaded = 'true';
    } catch (e) {
      this.status.textContent = errorText(e);
    }
  }

  private fill(tpl: Template): void {
    this.title.value = tpl.title;
    this.body.value = tpl.body;
    this.body.maxLength = tpl.max_body;
    this.chips.replaceChildren(...tpl.placeholders.map((p) => h('button', { type: 'button', class: 'secondary chip', disabled: !this.canEdit,
      title: t('agreement_ph_' + p), onclick: () => this.insert(`{{${p}}}`) }, `{{${p}}}`, h('span', { class: 'muted' }, ' ' + t('agreement_ph_' + p)))));
  }

  private insert(s: string): void {
    const b = this.body;
    const at = b.selectionStart ?? b.value.length;
    b.setRangeText(s, at, b.selectionEnd ?? at, 'end');
    b.focus();
  }

  private async save(button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    this.status.textContent = this.note.textContent = '';
    try {
      this.fill(await this.http.send<Template>('PUT', '/api/admin/agreement-template', { title: this.title.value, body: this.body.value }));
      this.note.textContent = t('saved');
    } catch (e) {
      this.status.textContent = refusal(e);
    } finally {
      button.disabled = false;
    }
  }
}

// refusal words the server's refusal of a template: the unknown placeholder by name.
function refusal(e: unknown): string {
  if (!(e instanceof ApiError) || e.code !== 'bad_template') return errorText(e);
  const unknown = /unknown placeholder \{\{(.*?)\}\}/.exec(e.message);
  if (unknown) return t('agreement_unknown', { name: '{{' + unknown[1] + '}}' });
  if (e.message.includes('is written')) return t('agreement_braces');
  return t('agreement_bad', { msg: e.message });
}
