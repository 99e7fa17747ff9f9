// Drafting a split (POST /api/admin/grid/changes): the unit, and a GeoJSON of the units that
// replace it, read in the browser and sent as the change set's "into".
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { ApiError } from '../lib/api';
import { errorText, type Http } from './http';
import type { ChangeReport, FeatureCollection } from './types';

export class SplitForm {
  readonly el: HTMLFormElement;
  private code = h('input', { name: 'split-code', required: true, maxlength: 18, inputmode: 'numeric', autocomplete: 'off' });
  private title = h('input', { name: 'split-title', required: true, maxlength: 200 });
  private effective = h('input', { name: 'split-effective', type: 'date' });
  private file = h('input', { name: 'split-file', type: 'file', accept: '.geojson,.json,application/geo+json,application/json', required: true });
  private moveTo = h('input', { name: 'split-move', maxlength: 18, inputmode: 'numeric', autocomplete: 'off' });
  private status = h('p', { class: 'error', role: 'alert' });
  private submit = h('button', { type: 'submit', class: 'primary', 'data-test': 'split-draft' }, t('split_draft'));

  constructor(private http: Http, private drafted: (r: ChangeReport) => void) {
    this.effective.value = today();
    this.el = h('form', { class: 'split-form', onsubmit: (e: Event) => {
      e.preventDefault();
      void this.send();
    } },
    h('h4', {}, t('split_title')),
    h('p', { class: 'muted small' }, t('split_help')),
    h('label', {}, t('split_unit'), this.code),
    h('label', {}, t('change_title'), this.title),
    h('label', {}, t('change_effective'), this.effective),
    h('label', {}, t('split_file'), this.file),
    h('label', {}, t('split_move'), this.moveTo),
    this.status,
    h('div', { class: 'buttons' }, this.submit));
  }

  // prefill offers the unit open in the tree.
  prefill(code: string, name: string): void {
    if (!this.code.value || this.code.dataset.auto === 'true') {
      this.code.value = code;
      this.code.dataset.auto = 'true';
      if (!this.title.value || this.title.dataset.auto === 'true') {
        this.title.value = t('split_default_title', { name });
        this.title.dataset.auto = 'true';
      }
    }
  }

  private async send(): Promise<void> {
    const f = this.file.files?.[0];
    this.status.textContent = '';
    if (!f) {
      this.status.textContent = t('choose_file');
      return;
    }
    let into: FeatureCollection;
    try {
      into = JSON.parse(await f.text()) as FeatureCollection;
      if (into?.type !== 'FeatureCollection' || !Array.isArray(into.features)) throw new Error('not a FeatureCollection');
    } catch {
      this.status.textContent = t('split_bad_file', { name: f.name });
      return;
    }
    const code = this.code.value.trim();
    const move = this.moveTo.value.trim();
    const body = { title: this.title.value.trim(), effective_on: this.effective.value || today(),
      split: { code, into }, moves: move ? { [code]: move } : {} };
    this.submit.disabled = true;
    try {
      this.drafted(await this.http.send<ChangeReport>('POST', '/api/admin/grid/changes', body));
      this.el.reset();
      this.effective.value = today();
      this.code.dataset.auto = this.title.dataset.auto = 'true';
    } catch (e) {
      if (e instanceof ApiError && e.status === 422 && e.data && typeof e.data === 'object' && 'change' in e.data) {
        this.status.textContent = t('split_invalid');
        this.drafted(e.data as ChangeReport);
      } else {
        this.status.textContent = errorText(e);
      }
    } finally {
      this.submit.disabled = false;
    }
  }
}

// today in Asia/Shanghai, the day change sets are due by.
export function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
