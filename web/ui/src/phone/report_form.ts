// The report form: where the event is (a map of the worker's grid with the GPS fix and a pin the
// worker may drag, the unit the pin falls in), what happened, photos, and whether it was handled
// on the spot. Submitting writes the report to the outbox first; sending is the outbox's
// business; the receipt under the button says what became of it.
import { api, type Category, type Session, type Unit } from '../lib/api';
import { clear, h } from '../lib/dom';
import { currentLang, t } from '../lib/i18n';
import { unitsAt, type GridOutlines } from './geo';
import { uploads } from './outbox';
import { PhonePhotoPicker } from './photo_picker';
import type { LonLat, ReportMap } from './report_map';
import { newClientID } from './uuid';
import { getItem, getOutlines, putItem, putOutlines, type OutboxItem } from './store';

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
  private photos = new PhonePhotoPicker((m) => this.say(m, true));
  private watch: number | null = null;
  // pin is where the report says the event is: the GPS fix until the worker drags the pin.
  private pin: LonLat | null = null;
  private pinMoved = false;
  private outlines: GridOutlines | undefined;
  private map: ReportMap | null = null;
  private mapEl = h('div', { class: 'map', 'data-test': 'map', role: 'application', 'aria-label': t('map_label') });
  private relocateTimer: number | undefined;
  private lastClientID = '';
  private receipt = h('div', { class: 'receipt', 'data-test': 'receipt', role: 'status', hidden: true });

  private where = h('div', { class: 'where', 'data-test': 'where' }, t('locating'));
  private grid = h('div', { class: 'grid-name', 'data-test': 'grid' });
  private moved = h('div', { class: 'pin-moved', 'data-test': 'pin-moved', hidden: true }, t('pin_moved'));
  private outsideMine = h('div', { class: 'outside-mine', 'data-test': 'outside-mine', hidden: true }, t('outside_grid_map'));
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
        h('div', { class: 'label' }, t('location')), this.mapEl, h('p', { class: 'map-hint' }, t('map_hint')),
        this.outsideMine, this.grid, this.where, this.moved,
        h('button', { type: 'button', class: 'link', 'data-test': 'relocate', onclick: () => this.startGPS() }, t('relocate'))),
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
      this.receipt,
    );
    this.setCategories([]);
    this.startGPS();
    void this.loadMap();
  }

  // loadMap draws the map from the outlines kept on the phone, then from the server's when online.
  private async loadMap(): Promise<void> {
    this.outlines = await getOutlines(this.session.member.id).catch(() => undefined);
    try {
      const { ReportMap } = await import('./report_map');
      this.map = new ReportMap(this.mapEl, (p, dropped) => this.pinDragged(p, dropped), { pin: t('pin') });
    } catch {
      this.mapEl.hidden = true; // the map's code could not be loaded (never cached): the form works without it
    }
    this.map?.setOutlines(this.outlines);
    this.showPin();
    await this.refreshOutlines();
  }

  // refreshOutlines fetches the worker's grid (it may have changed) and keeps it for offline use.
  async refreshOutlines(): Promise<void> {
    try {
      const o = await api<GridOutlines>('GET', '/api/my/grid', this.session.token);
      await putOutlines(this.session.member.id, o);
      this.outlines = o;
      this.map?.setOutlines(o);
      this.showUnit();
    } catch {
      // offline, or no grid (404): the copy kept, if any, stays
    }
  }

  // shown: the report tab is visible again (the map needs its size).
  shown(): void {
    this.map?.resized();
  }

  private pinDragged(p: LonLat, dropped: boolean): void {
    this.pin = p;
    this.pinMoved = true;
    this.showPin(false);
    if (dropped) {
      clearTimeout(this.relocateTimer);
      this.relocateTimer = window.setTimeout(() => void this.relocate(false), 300);
    }
  }

  // showPin writes where the pin is and which unit it falls in (from the outlines kept here).
  private showPin(moveMarker = true): void {
    const fix = this.position?.coords;
    if (!this.pin || !fix) return;
    if (moveMarker && this.map) this.map.setFix({ lon: fix.longitude, lat: fix.latitude }, fix.accuracy, this.pin);
    this.where.textContent = `${this.pin.lon.toFixed(6)}, ${this.pin.lat.toFixed(6)}` +
      (this.pinMoved ? '' : ` · ${t('accuracy', { m: Math.round(fix.accuracy) })}`);
    this.moved.hidden = !this.pinMoved;
    this.showUnit();
  }

  private showUnit(): void {
    if (!this.pin || !this.outlines) return;
    const here = unitsAt(this.outlines, this.pin.lon, this.pin.lat);
    this.grid.dataset.unit = here.length ? here[here.length - 1].code : '';
    this.outsideMine.hidden = here.length > 0;
    // The server's answer (the whole path, from the county down, or outside every grid) is kept
    // while it is about this very place: outside the worker's own grid may be inside another.
    const l = this.located;
    if (l?.units !== undefined && l.lon === this.pin.lon && l.lat === this.pin.lat) return;
    this.grid.classList.toggle('outside', here.length === 0);
    this.grid.textContent = here.map((u) => u.name).join(' › ');
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
    this.pinMoved = false; // 重新定位: the pin goes back to the GPS fix
    this.where.textContent = t('locating');
    this.watch = navigator.geolocation.watchPosition(
      (p) => {
        this.position = p;
        if (!this.pinMoved) this.pin = { lon: p.coords.longitude, lat: p.coords.latitude };
        this.showPin();
        void this.relocate(false);
      },
      (err) => {
        if (!this.position) this.where.textContent = t('geo_denied', { msg: err.message });
      },
      { enableHighAccuracy: true, maximumAge: 10_000, timeout: 30_000 },
    );
  }

  // relocate asks the server which units the pin is in (skipped if it has not moved); offline,
  // the outlines kept on the phone have said it already.
  async relocate(force: boolean): Promise<void> {
    const p = this.pin;
    if (!p) return;
    const { lon, lat } = p;
    if (!force && this.located && this.located.units !== undefined && Math.abs(this.located.lon - lon) < 1e-5 && Math.abs(this.located.lat - lat) < 1e-5) return;
    this.located = { lon, lat };
    if (!this.online() && !navigator.onLine) {
      if (!this.outlines) this.grid.textContent = t('grid_unknown_offline');
      return;
    }
    try {
      const res = await api<{ located: boolean; units?: Unit[] }>('GET', `/api/locate?lon=${lon}&lat=${lat}`, this.session.token);
      if (this.pin?.lon !== lon || this.pin?.lat !== lat) return; // moved meanwhile
      this.located = { lon, lat, located: res.located, units: res.units ?? [] };
      this.grid.classList.toggle('outside', !res.located);
      this.grid.textContent = res.located ? (res.units ?? []).map((u) => u.name).join(' › ') : t('outside_grid');
    } catch {
      if (!this.outlines) this.grid.textContent = t('grid_unknown_offline');
    }
  }

  // showReceipt says what became of the last report sent from this form: 待发送 while it waits,
  // the photos' upload progress, 已送达 with its case number once the server has it.
  async showReceipt(): Promise<void> {
    if (!this.lastClientID) return;
    const it = await getItem(this.lastClientID);
    if (!it) {
      this.receipt.hidden = true;
      return;
    }
    const up = uploads.get(it.client_id);
    let text: string;
    let state: string = it.state;
    if (it.state === 'acked') {
      text = it.receipt?.case_id ? t('receipt_acked', { n: it.receipt.case_id }) : t('receipt_unlocated');
    } else if (it.state === 'rejected') {
      text = t('receipt_rejected');
    } else if (up) {
      state = 'uploading';
      text = t('receipt_uploading', { i: up.photo, n: up.total, pct: Math.round(up.fraction * 100) });
    } else {
      text = it.state === 'sending' ? t('receipt_sending') : t('receipt_queued');
    }
    this.receipt.hidden = false;
    this.receipt.dataset.state = state;
    clear(this.receipt);
    this.receipt.append(h('strong', {}, text));
    if (up) this.receipt.append(h('progress', { max: 100, value: Math.round(up.fraction * 100) }));
  }

  private say(text: string, error = false): void {
    this.message.textContent = text;
    this.message.classList.toggle('error', error);
  }

  private async submit(): Promise<void> {
    await this.photos.ready();
    const p = this.position;
    const at = this.pin;
    const happened = new Date(this.happenedAt.value);
    const problem = !p || !at ? 'need_location'
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
        lon: at!.lon,
        lat: at!.lat,
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
    // A fresh form for the next event: nothing of this one carries over by mistake.
    this.category.value = '';
    this.severityNormal.checked = true;
    this.severityUrgent.checked = false;
    this.description.value = '';
    this.onSpotNote.value = '';
    this.onSpot.checked = false;
    this.photos.reset();
    this.resetTime();
    this.categoryChanged();
    this.say('');
    this.lastClientID = clientID;
    await this.showReceipt();
    this.saved();
  }
}
