// The report form: where the worker stands (GPS, its accuracy, the grid it falls in), what
// happened, photos, and whether it was handled on the spot. Submitting writes the report to the
// outbox first; sending is the outbox's business.
import { api, type Category, type Session, type Unit } from '../lib/api';
import { clear, h } from '../lib/dom';
import { currentLang, t } from '../lib/i18n';
import { PhotoPicker } from '../lib/photos';
import { newClientID } from './uuid';
import { putItem, type OutboxItem } from './store';

const groups = ['dispute', 'safety', 'environment', 'facility', 'order', 'livelihood', 'petition'];

export function categoryName(c: Category | undefined, code: string): string {
  if (!c) return code;
  return currentLang() === 'en' ? c.name_en : c.name_zh;
}

export class ReportForm {
  el: HTMLElement;
  categories: Category[] = [];
  private position: GeolocationPosition | null = null;
  private located: { lon: number; lat: number; units?: Unit[]; located?: boolean } | null = null;
  private photos = new PhotoPicker((m) => this.say(m, true), { camera: true });
  private watch: number | null = null;

  private where = h('div', { class: 'where', 'data-test': 'where' }, t('locating'));
  private grid = h('div', { class: 'grid-name', 'data-test': 'grid' });
  private category = h('select', { name: 'category', required: true });
  private severityNormal = h('input', { type: 'radio', name: 'severity', value: 'normal', checked: true });
  private severityUrgent = h('input', { type: 'radio', name: 'severity', value: 'urgent' });
  private happenedAt = h('input', { type: 'datetime-local', name: 'happened_at', required: true });
  private description = h('textarea', { name: 'description', rows: 4, maxlength: 2000, required: true, placeholder: t('description_hint') });
  private onSpot = h('input', { type: 'checkbox', name: 'handled_on_spot' });
  private onSpotNote = h('textarea', { name: 'on_spot_note', rows: 2, maxlength: 2000 });
  private onSpotBlock = h('fieldset', { class: 'on-spot', hidden: true });
  private message = h('p', { class: 'notice', role: 'status' });

  constructor(private session: Session, private online: () => boolean, private saved: () => void) {
    this.category.addEventListener('change', () => this.categoryChanged());
    this.onSpot.addEventListener('change', () => this.categoryChanged());
    this.resetTime();
    this.onSpotBlock.append(
      h('label', { class: 'check' }, this.onSpot, t('on_spot')),
      h('label', { class: 'on-spot-note' }, t('on_spot_note'), this.onSpotNote),
    );
    this.el = h('form', { class: 'report', novalidate: true, onsubmit: (e: Event) => { e.preventDefault(); void this.submit(); } },
      h('section', { class: 'location' },
        h('div', { class: 'label' }, t('location')), this.where, this.grid,
        h('button', { type: 'button', class: 'link', onclick: () => this.startGPS() }, t('relocate'))),
      h('label', {}, t('category'), this.category),
      h('fieldset', { class: 'severity' }, h('legend', {}, t('severity')),
        h('label', { class: 'check' }, this.severityNormal, t('severity_normal')),
        h('label', { class: 'check urgent' }, this.severityUrgent, t('severity_urgent'))),
      h('label', {}, t('happened_at'), this.happenedAt),
      h('label', {}, t('description'), this.description),
      this.photos.el,
      this.onSpotBlock,
      this.message,
      h('button', { type: 'submit', class: 'primary' }, t('submit')),
    );
    this.setCategories([]);
    this.startGPS();
  }

  setCategories(list: Category[]): void {
    this.categories = list;
    const chosen = this.category.value;
    clear(this.category);
    this.category.append(h('option', { value: '' }, t('choose_category')));
    for (const g of groups) {
      const inGroup = list.filter((c) => c.group === g);
      if (inGroup.length === 0) continue;
      this.category.append(h('optgroup', { label: t('group_' + g) }, inGroup.map((c) => h('option', { value: c.code }, categoryName(c, c.code)))));
    }
    const others = list.filter((c) => !groups.includes(c.group));
    if (others.length) this.category.append(h('optgroup', { label: t('group_other') }, others.map((c) => h('option', { value: c.code }, categoryName(c, c.code)))));
    this.category.value = chosen;
  }

  private categoryChanged(): void {
    const c = this.categories.find((x) => x.code === this.category.value);
    this.onSpotBlock.hidden = !c?.grid_may_close;
    if (this.onSpotBlock.hidden) this.onSpot.checked = false;
    (this.onSpotNote.parentElement as HTMLElement).hidden = !this.onSpot.checked;
  }

  private resetTime(): void {
    const d = new Date();
    d.setSeconds(0, 0);
    this.happenedAt.value = new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  }

  startGPS(): void {
    if (!('geolocation' in navigator)) {
      this.where.textContent = t('geo_unsupported');
      return;
    }
    if (this.watch !== null) navigator.geolocation.clearWatch(this.watch);
    this.where.textContent = t('locating');
    this.watch = navigator.geolocation.watchPosition(
      (p) => {
        this.position = p;
        this.where.textContent = `${p.coords.longitude.toFixed(6)}, ${p.coords.latitude.toFixed(6)} · ${t('accuracy', { m: Math.round(p.coords.accuracy) })}`;
        void this.relocate(false);
      },
      (err) => {
        if (!this.position) this.where.textContent = t('geo_denied', { msg: err.message });
      },
      { enableHighAccuracy: true, maximumAge: 10_000, timeout: 30_000 },
    );
  }

  // relocate asks the server which grid the position is in (skipped if it has not moved).
  async relocate(force: boolean): Promise<void> {
    const p = this.position;
    if (!p) return;
    const { longitude: lon, latitude: lat } = p.coords;
    if (!force && this.located && this.located.units !== undefined && Math.abs(this.located.lon - lon) < 1e-5 && Math.abs(this.located.lat - lat) < 1e-5) return;
    this.located = { lon, lat };
    if (!this.online() && !navigator.onLine) {
      this.grid.textContent = t('grid_unknown_offline');
      return;
    }
    try {
      const res = await api<{ located: boolean; units?: Unit[] }>('GET', `/api/locate?lon=${lon}&lat=${lat}`, this.session.token);
      this.located = { lon, lat, located: res.located, units: res.units ?? [] };
      this.grid.classList.toggle('outside', !res.located);
      this.grid.textContent = res.located ? (res.units ?? []).map((u) => u.name).join(' › ') : t('outside_grid');
    } catch {
      this.grid.textContent = t('grid_unknown_offline');
    }
  }

  private say(text: string, error = false): void {
    this.message.textContent = text;
    this.message.classList.toggle('error', error);
  }

  private async submit(): Promise<void> {
    const p = this.position;
    const happened = new Date(this.happenedAt.value);
    const problem = !p ? 'need_location'
      : !this.category.value ? 'need_category'
      : !this.description.value.trim() ? 'need_description'
      : this.onSpot.checked && !this.onSpotNote.value.trim() ? 'need_note'
      : isNaN(happened.getTime()) || happened.getTime() > Date.now() + 60_000 ? 'bad_time' : '';
    if (problem) {
      this.say(t(problem), true);
      return;
    }
    const clientID = newClientID();
    const item: OutboxItem = {
      client_id: clientID,
      member_id: this.session.member.id,
      report: {
        client_id: clientID,
        category: this.category.value,
        severity: this.severityUrgent.checked ? 'urgent' : 'normal',
        description: this.description.value.trim(),
        lon: p!.coords.longitude,
        lat: p!.coords.latitude,
        accuracy_m: Math.round(p!.coords.accuracy * 10) / 10,
        happened_at: happened.toISOString(),
        handled_on_spot: this.onSpot.checked,
        on_spot_note: this.onSpot.checked ? this.onSpotNote.value.trim() : '',
        photos: [],
      },
      photos: this.photos.files.map((blob) => ({ blob })),
      state: 'queued',
      created_at: Date.now(),
      updated_at: Date.now(),
    };
    await putItem(item);
    this.description.value = '';
    this.onSpotNote.value = '';
    this.onSpot.checked = false;
    this.photos.reset();
    this.resetTime();
    this.categoryChanged();
    this.say(this.online() ? t('saved') : t('saved_offline'));
    this.saved();
  }
}
