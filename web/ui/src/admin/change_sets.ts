// Change sets (docs/grid.md): the list, the forms that draft one, the preview of one with its
// map and report, and apply, schedule or discard.
import { ApiError } from '../lib/api';
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { changeReportOf, today } from './change_form';
import { ChangeForms } from './change_forms';
import { movesEditor } from './change_moves';
import { changeReport } from './change_report';
import { scheduleBox, scheduleNote } from './change_schedule';
import { dateTime } from './format';
import { errorText, type Http } from './http';
import type { AdminUnit, ChangeReport, ChangeSet } from './types';

export class ChangeSets {
  readonly el: HTMLElement;
  private list = h('tbody');
  private status = h('p', { class: 'error', role: 'alert' });
  private preview = h('div', { class: 'preview' });
  private forms: ChangeForms;
  private allowTopology = h('input', { type: 'checkbox', name: 'change-allow-topology' });

  constructor(private http: Http, private open: (code: string) => void, private changed: () => void) {
    this.forms = new ChangeForms(http, (r) => {
      this.show(r);
      void this.load();
    });
    const head = [t('col_change'), t('col_state'), t('col_effective'), t('col_created'), ''];
    this.el = h('section', { class: 'card changes' },
      h('h3', {}, t('changes_title')),
      h('p', { class: 'muted small' }, t('changes_help')),
      this.status,
      h('div', { class: 'scroll' }, h('table', { class: 'responsive change-list' },
        h('thead', {}, h('tr', {}, head.map((x) => h('th', {}, x)))), this.list)),
      this.preview,
      this.forms.el);
  }

  prefill(u: AdminUnit): void {
    this.forms.prefill(u);
  }

  async load(): Promise<void> {
    try {
      const { changes } = await this.http.get<{ changes: ChangeSet[] }>('/api/admin/grid/changes', { limit: 50 });
      clear(this.list);
      if (!changes?.length) this.list.append(h('tr', {}, h('td', { colspan: 5, class: 'empty' }, t('no_changes'))));
      for (const c of changes ?? []) {
        const head = [t('col_change'), t('col_state'), t('col_effective'), t('col_created')];
        this.list.append(h('tr', { 'data-change': c.id, 'data-state': c.state },
          h('td', { 'data-label': head[0] }, '#' + c.id + ' ' + c.title, h('br', {}), h('small', { class: 'muted' }, c.root_code)),
          h('td', { 'data-label': head[1] }, h('span', { class: 'state state-' + c.state }, t('state_' + c.state)), ' ', scheduleNote(c)),
          h('td', { 'data-label': head[2] }, c.effective_on || '—'),
          h('td', { 'data-label': head[3] }, dateTime(c.created_at)),
          h('td', {}, h('button', { type: 'button', class: 'secondary', 'data-test': 'preview', onclick: () => void this.fetch(c.id) },
            c.state === 'draft' ? t('change_preview') : t('change_view')))));
      }
      this.status.textContent = '';
    } catch (e) {
      this.status.textContent = errorText(e);
    }
  }

  private async fetch(id: number): Promise<void> {
    clear(this.preview);
    this.preview.append(h('p', { class: 'muted' }, t('loading')));
    try {
      this.show(await this.http.get<ChangeReport>('/api/admin/grid/changes/' + id));
    } catch (e) {
      clear(this.preview);
      this.preview.append(h('p', { class: 'error', role: 'alert' }, errorText(e)));
    }
  }

  private show(r: ChangeReport, message = ''): void {
    clear(this.preview);
    const note = h('p', { class: 'status', role: 'status' }, message);
    const draft = !r.applied && r.change.state === 'draft' && r.change.id > 0;
    const apply = h('button', { type: 'button', class: 'primary', 'data-test': 'change-apply' }, t('change_apply'));
    const discard = h('button', { type: 'button', class: 'secondary danger', 'data-test': 'change-discard' }, t('change_discard'));
    apply.addEventListener('click', () => void this.decide(r, 'apply', note, [apply, discard]));
    discard.addEventListener('click', () => void this.decide(r, 'discard', note, [apply, discard]));
    this.preview.append(h('div', { class: 'preview-head' },
      h('button', { type: 'button', class: 'link', onclick: () => clear(this.preview) }, t('close'))),
    changeReport(r, this.open), note);
    if (draft) {
      const due = r.change.effective_on <= today();
      this.preview.append(h('div', { class: 'decide' },
        movesEditor(this.http, r, (again, note) => {
          this.show(again, note);
          void this.load();
        }),
        scheduleBox(this.http, r.change, (c) => {
          this.show({ ...r, change: { ...r.change, ...c } }, c.scheduled_at ? '' : t('change_unscheduled_note'));
          void this.load();
        }),
        due ? h('label', { class: 'inline' }, this.allowTopology, t('allow_topology')) : null,
        h('div', { class: 'buttons' }, due ? apply : null, discard)));
    }
    this.preview.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }

  private async decide(r: ChangeReport, what: 'apply' | 'discard', note: HTMLElement, buttons: HTMLButtonElement[]): Promise<void> {
    if (what === 'discard' && !confirm(t('change_discard_confirm', { title: r.change.title }))) return;
    for (const b of buttons) b.disabled = true;
    note.textContent = what === 'apply' ? t('applying') : '';
    const path = `/api/admin/grid/changes/${r.change.id}/${what}`;
    try {
      if (what === 'apply') {
        const done = await this.http.send<ChangeReport>('POST', path, { allow_topology_problems: this.allowTopology.checked });
        this.show(done, t('change_applied_note'));
        this.changed();
      } else {
        await this.http.send('POST', path);
        clear(this.preview);
        this.preview.append(h('p', { class: 'notice', role: 'status' }, t('change_discarded', { title: r.change.title })));
      }
      void this.load();
    } catch (e) {
      const refused = changeReportOf(e);
      if (refused) {
        this.show(refused, t('change_refused_note'));
      } else {
        note.textContent = e instanceof ApiError && (e.code === 'change_not_due' || e.code === 'change_decided') ? t('err_' + e.code) : errorText(e);
        for (const b of buttons) b.disabled = false;
      }
    }
  }
}
