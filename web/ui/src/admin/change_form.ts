// The pieces every change-set form shares: title, effective day (today in the county by
// default), a GeoJSON file with its coordinate system, and the draft itself (POST
// /api/admin/grid/changes), whose report (201, or 422 change_invalid) is shown as a preview.
import { ApiError } from '../lib/api';
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { crsList, toWGS84 } from './crs';
import { errorText, type Http } from './http';
import type { AdminUnit, ChangeReport, Feature } from './types';

// A change set's body without its title and day: split, merge, operations, moves.
export type DraftBody = Record<string, unknown>;

export interface DraftKind {
  readonly name: string; // split, merge, rename, retire, redraw: the form's field names start with it
  fields(): Node[];
  // body is the request, or throws an Error whose message is said to the administrator.
  body(): Promise<DraftBody>;
  prefill(u: AdminUnit, form: DraftForm): void;
  reset?(): void;
}

export class DraftForm {
  readonly el: HTMLFormElement;
  readonly title: HTMLInputElement;
  private effective: HTMLInputElement;
  private status = h('p', { class: 'error', role: 'alert' });
  private submit: HTMLButtonElement;

  constructor(private http: Http, private kind: DraftKind, private drafted: (r: ChangeReport) => void) {
    const n = kind.name;
    this.title = h('input', { name: n + '-title', required: true, maxlength: 200, oninput: () => delete this.title.dataset.auto });
    this.effective = h('input', { name: n + '-effective', type: 'date', value: today() });
    this.submit = h('button', { type: 'submit', class: 'primary', 'data-test': n + '-draft' }, t('split_draft'));
    this.el = h('form', { class: 'change-form ' + n + '-form', onsubmit: (e: Event) => {
      e.preventDefault();
      void this.send();
    } },
    h('p', { class: 'muted small' }, t(n + '_help')),
    kind.fields(),
    h('label', {}, t('change_title'), this.title),
    h('label', {}, t('change_effective'), this.effective),
    this.status,
    h('div', { class: 'buttons' }, this.submit));
  }

  prefill(u: AdminUnit): void {
    this.kind.prefill(u, this);
  }

  // suggest fills the title unless the administrator wrote one.
  suggest(title: string): void {
    if (!this.title.value || this.title.dataset.auto === 'true') {
      this.title.value = title;
      this.title.dataset.auto = 'true';
    }
  }

  private async send(): Promise<void> {
    this.status.textContent = '';
    let body: DraftBody;
    try {
      body = await this.kind.body();
    } catch (e) {
      this.status.textContent = e instanceof Error ? e.message : String(e);
      return;
    }
    this.submit.disabled = true;
    try {
      this.drafted(await this.http.send<ChangeReport>('POST', '/api/admin/grid/changes',
        { title: this.title.value.trim(), effective_on: this.effective.value || today(), ...body }));
      this.title.value = '';
      this.effective.value = today();
      this.kind.reset?.();
    } catch (e) {
      const r = changeReportOf(e);
      if (r) this.drafted(r);
      this.status.textContent = r ? t('split_invalid') : errorText(e);
    } finally {
      this.submit.disabled = false;
    }
  }
}

// changeReportOf is the report a refusal (422 change_invalid or change_refused) carries.
export function changeReportOf(e: unknown): ChangeReport | null {
  return e instanceof ApiError && e.status === 422 && e.data && typeof e.data === 'object' && 'change' in e.data ?
    e.data as ChangeReport : null;
}

// GeoFile is a GeoJSON file read in the browser, with the coordinate system it was drawn in.
export class GeoFile {
  readonly el: HTMLElement[];
  private file: HTMLInputElement;
  private crs: HTMLSelectElement;

  constructor(name: string, label: string) {
    this.file = h('input', { name: name + '-file', type: 'file', accept: '.geojson,.json,application/geo+json,application/json', required: true });
    this.crs = h('select', { name: name + '-crs' }, crsList.map((c) => h('option', { value: c }, t('crs_' + c))));
    this.el = [h('label', {}, label, this.file), h('label', {}, t('crs'), this.crs)];
  }

  // features reads the file's features (a FeatureCollection's, or one Feature), in WGS84.
  async features(): Promise<Feature[]> {
    const f = this.file.files?.[0];
    if (!f) throw new Error(t('choose_file'));
    let doc: { type?: string; features?: Feature[]; crs?: unknown };
    try {
      doc = JSON.parse((await f.text()).replace(/^\uFEFF/, ''));
    } catch {
      throw new Error(t('split_bad_file', { name: f.name }));
    }
    const features = doc?.type === 'Feature' ? [doc as Feature] : doc?.type === 'FeatureCollection' && Array.isArray(doc.features) ? doc.features : null;
    if (!features) throw new Error(t('split_bad_file', { name: f.name }));
    const crs = this.crs.value;
    if (doc.crs && (crs === 'gcj02' || crs === 'bd09')) throw new Error(t('crs_declared', { name: f.name, crs: t('crs_' + crs) }));
    for (const x of features) toWGS84(x?.geometry?.coordinates, crs);
    return features;
  }

  reset(): void {
    this.file.value = '';
  }
}

// codeInput is a unit's code, offered from the tree until the administrator types another.
export function codeInput(name: string): HTMLInputElement {
  const el = h('input', { name, required: true, maxlength: 18, inputmode: 'numeric', autocomplete: 'off', pattern: '[0-9]+',
    oninput: () => delete el.dataset.auto });
  return el;
}

// offer fills a code input with the open unit unless the administrator typed one; true if it did.
export function offer(input: HTMLInputElement, code: string): boolean {
  if (input.value && input.dataset.auto !== 'true') return false;
  input.value = code;
  input.dataset.auto = 'true';
  return true;
}

// today in Asia/Shanghai, the day change sets are due by.
export function today(): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}
