// Uploading a grid (POST /api/admin/grid/imports): a GeoJSON file or a Shapefile as .zip, its
// datum and text encoding; "check" is a dry run with the whole report, "import" commits.
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { ApiError } from '../lib/api';
import { errorText, withQuery, type Http } from './http';
import { importReport } from './import_report';
import type { ImportReport } from './types';

const crsList = ['wgs84', 'cgcs2000', 'gcj02', 'bd09'];

export class GridUpload {
  readonly el: HTMLElement;
  private file = h('input', { type: 'file', name: 'grid-file', accept: '.geojson,.json,.zip,application/geo+json,application/json,application/zip' });
  private crs = h('select', { name: 'crs' }, crsList.map((c) => h('option', { value: c }, t('crs_' + c))));
  private encoding = h('select', { name: 'encoding' },
    h('option', { value: '' }, t('encoding_auto')), h('option', { value: 'utf-8' }, 'UTF-8'), h('option', { value: 'gbk' }, 'GBK'));
  private codeField = h('input', { name: 'code_field', maxlength: 40, autocomplete: 'off' });
  private nameField = h('input', { name: 'name_field', maxlength: 40, autocomplete: 'off' });
  private makeValid = h('input', { type: 'checkbox', name: 'make_valid' });
  private allowTopology = h('input', { type: 'checkbox', name: 'allow_topology_problems' });
  private check = h('button', { type: 'button', class: 'primary', 'data-test': 'import-check' }, t('import_check'));
  private commit = h('button', { type: 'button', class: 'secondary', 'data-test': 'import-commit', disabled: true }, t('import_commit'));
  private status = h('p', { class: 'status', role: 'status' });
  private report = h('div', { class: 'report-slot' });
  private shapeOnly: HTMLElement;
  private checked = ''; // the options a dry run was made with: import is offered for those

  constructor(private http: Http, private imported: () => void) {
    this.shapeOnly = h('div', { class: 'shape-only', hidden: true },
      h('label', {}, t('encoding'), this.encoding),
      h('div', { class: 'pair' }, h('label', {}, t('code_field'), this.codeField), h('label', {}, t('name_field'), this.nameField)));
    for (const c of [this.file, this.crs, this.encoding, this.codeField, this.nameField, this.makeValid, this.allowTopology]) {
      c.addEventListener('change', () => this.changed());
    }
    this.check.addEventListener('click', () => void this.send(true));
    this.commit.addEventListener('click', () => void this.send(false));
    this.el = h('section', { class: 'card upload' },
      h('h3', {}, t('upload_title')),
      h('p', { class: 'muted small' }, t('upload_help')),
      h('label', {}, t('upload_file'), this.file),
      h('label', {}, t('crs'), this.crs),
      this.shapeOnly,
      h('label', { class: 'inline' }, this.makeValid, t('make_valid')),
      h('label', { class: 'inline' }, this.allowTopology, t('allow_topology')),
      h('div', { class: 'buttons' }, this.check, this.commit),
      this.status, this.report);
  }

  private isShapefile(): boolean {
    return /\.zip$/i.test(this.file.files?.[0]?.name ?? '');
  }

  private query(dry: boolean): Record<string, string | boolean> {
    const shp = this.isShapefile();
    return { format: shp ? 'shapefile' : 'geojson', crs: this.crs.value,
      encoding: shp ? this.encoding.value : '', code_field: shp ? this.codeField.value.trim() : '',
      name_field: shp ? this.nameField.value.trim() : '',
      make_valid: this.makeValid.checked, allow_topology_problems: this.allowTopology.checked, dry_run: dry };
  }

  private changed(): void {
    this.shapeOnly.hidden = !this.isShapefile();
    this.commit.disabled = true;
    this.checked = '';
  }

  private async send(dry: boolean): Promise<void> {
    const f = this.file.files?.[0];
    if (!f) {
      this.status.textContent = t('choose_file');
      return;
    }
    const q = this.query(dry);
    const path = withQuery('/api/admin/grid/imports', q);
    this.check.disabled = this.commit.disabled = true;
    this.status.textContent = dry ? t('checking') : t('importing');
    clear(this.report);
    let r: ImportReport | null = null;
    try {
      r = await this.http.upload<ImportReport>(path, f, this.isShapefile() ? 'application/zip' : 'application/geo+json');
    } catch (e) {
      if (e instanceof ApiError && e.status === 422 && e.data && typeof e.data === 'object' && 'dry_run' in e.data) {
        r = e.data as ImportReport;
      } else {
        this.status.textContent = errorText(e);
      }
    }
    this.check.disabled = false;
    if (r) {
      this.status.textContent = '';
      this.report.append(importReport(r));
      if (dry) this.checked = JSON.stringify({ ...q, dry_run: false });
      if (r.committed) {
        this.checked = '';
        this.imported();
      }
    }
    this.commit.disabled = this.checked !== JSON.stringify({ ...this.query(false) });
  }
}
