// The points supermarket (积分超市, docs/points-market.md): record what a grid worker takes for
// their points (their balance falls at once), cancel a mistaken record, edit the items of the
// administrator's county or township, and, for a county's administrators, the redemption window.
import { ApiError } from '../lib/api';
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { errorText, type Http } from './http';
import type { AdminUnit } from './types';

interface Item { id: number; unit: string; unit_name: string; name: string; price: number; stock: number | null; active: boolean; editable: boolean }
interface Worker { member_id: number; name: string; phone: string; grid: string; grid_name: string; balance: number }
interface Redemption {
  id: number; item_name: string; member_name: string; grid: string; quantity: number; points: number;
  recorded_by_name: string; recorded_at: string; cancelled_at: string | null; cancel_reason: string | null;
}
interface Window { county: string; period: '' | 'quarter' | 'month'; last_days: number; open: boolean; opens?: string; closes_by?: string }

const dateTime = (iso: string) => new Date(iso).toLocaleString(undefined, { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });

export class PointsMarketPage {
  readonly el: HTMLElement;
  private started = false;
  private items: Item[] = [];
  private worker: Worker | null = null;
  private search = h('input', { type: 'search', name: 'worker', maxlength: 20, placeholder: t('market_search_ph'), 'aria-label': t('market_search') });
  private workers = h('ul', { class: 'market-workers', 'data-test': 'workers' });
  private chosen = h('p', { class: 'market-chosen', 'data-test': 'chosen', role: 'status' });
  private itemSelect = h('select', { name: 'item', 'aria-label': t('market_item') });
  private qty = h('input', { type: 'number', name: 'quantity', min: 1, max: 100, step: 1, value: 1, inputmode: 'numeric', 'aria-label': t('market_qty') });
  private redeemBtn = h('button', { type: 'button', class: 'primary', 'data-test': 'redeem', disabled: true }, t('market_redeem'));
  private redeemNote = h('p', { class: 'row-note', role: 'alert', 'data-test': 'redeem-note' });
  private itemsBody = h('tbody', { 'data-test': 'items' });
  private historyBody = h('tbody', { 'data-test': 'history' });
  private windowBox = h('div', { 'data-test': 'window' });
  private status = h('p', { class: 'error', role: 'alert' });

  constructor(private http: Http, private roots: AdminUnit[], private countyAdmin: boolean) {
    let timer = 0;
    this.search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = window.setTimeout(() => void this.findWorkers(), 250);
    });
    this.redeemBtn.addEventListener('click', () => void this.redeem());
    const counter = h('section', { class: 'card market-counter' }, h('h3', {}, t('market_counter_title')),
      h('p', { class: 'muted small' }, t('market_counter_help')),
      h('label', { class: 'field' }, t('market_search'), this.search), this.workers, this.chosen,
      h('div', { class: 'market-redeem' }, h('label', { class: 'field' }, t('market_item'), this.itemSelect),
        h('label', { class: 'field qty' }, t('market_qty'), this.qty), this.redeemBtn), this.redeemNote);
    const itemHead = [t('market_col_name'), t('market_col_unit'), t('market_col_price'), t('market_col_stock'), t('market_col_active'), ''];
    const items = h('section', { class: 'card' }, h('h3', {}, t('market_items_title')), h('p', { class: 'muted small' }, t('market_items_help')),
      h('table', { class: 'responsive market-items' }, h('thead', {}, h('tr', {}, itemHead.map((x) => h('th', {}, x)))), this.itemsBody),
      this.addForm());
    const histHead = [t('market_col_when'), t('market_col_worker'), t('market_col_item'), t('market_col_points'), t('market_col_by'), ''];
    const history = h('section', { class: 'card' }, h('h3', {}, t('market_history_title')),
      h('table', { class: 'responsive market-history' }, h('thead', {}, h('tr', {}, histHead.map((x) => h('th', {}, x)))), this.historyBody));
    const win = h('section', { class: 'card' }, h('h3', {}, t('market_window_title')), h('p', { class: 'muted small' }, t('market_window_help')), this.windowBox);
    this.el = h('div', { class: 'page market-page' }, this.status, counter, items, history, win);
  }

  show(): void {
    if (this.started) return;
    this.started = true;
    void this.loadItems();
    void this.findWorkers();
    void this.loadHistory();
    void this.loadWindow();
  }

  private async loadItems(): Promise<void> {
    try {
      this.items = (await this.http.get<{ items: Item[] }>('/api/admin/points/items')).items ?? [];
    } catch (e) {
      this.status.textContent = errorText(e);
      return;
    }
    clear(this.itemsBody);
    for (const it of this.items) this.itemsBody.append(this.itemRow(it));
    if (this.items.length === 0) this.itemsBody.append(h('tr', {}, h('td', { colspan: 6, class: 'muted' }, t('market_no_items'))));
    this.itemsBody.dataset.loaded = 'true';
    this.fillItemSelect();
  }

  private fillItemSelect(): void {
    const keep = this.itemSelect.value;
    clear(this.itemSelect);
    for (const it of this.items.filter((x) => x.active)) {
      const left = it.stock === null ? '' : ' · ' + t('market_left', { n: it.stock });
      this.itemSelect.append(h('option', { value: it.id }, `${it.name}（${t('market_points', { n: it.price })}${left}）`));
    }
    if (keep) this.itemSelect.value = keep;
  }

  private itemRow(it: Item): HTMLElement {
    if (!it.editable) {
      return h('tr', { 'data-item': it.id }, h('td', { 'data-label': t('market_col_name') }, it.name),
        h('td', { 'data-label': t('market_col_unit') }, it.unit_name), h('td', { 'data-label': t('market_col_price') }, it.price),
        h('td', { 'data-label': t('market_col_stock') }, it.stock ?? t('market_unlimited')),
        h('td', { 'data-label': t('market_col_active') }, it.active ? t('market_on_sale') : t('market_off_sale')), h('td', {}));
    }
    const name = h('input', { name: 'name', value: it.name, maxlength: 60, 'aria-label': t('market_col_name') });
    const price = h('input', { type: 'number', name: 'price', min: 1, max: 100000, value: it.price, inputmode: 'numeric', 'aria-label': t('market_col_price') });
    const stock = h('input', { type: 'number', name: 'stock', min: 0, value: it.stock ?? '', placeholder: t('market_unlimited'), inputmode: 'numeric', 'aria-label': t('market_col_stock') });
    const active = h('input', { type: 'checkbox', name: 'active', checked: it.active, 'aria-label': t('market_col_active') });
    const note = h('span', { class: 'row-note', role: 'status' });
    const save = h('button', { type: 'button', class: 'secondary', 'data-test': 'save-item' }, t('save'));
    save.addEventListener('click', async () => {
      save.disabled = true;
      try {
        const body = { unit: it.unit, name: name.value.trim(), price: Number(price.value), stock: stock.value === '' ? null : Number(stock.value), active: active.checked };
        const saved = await this.http.send<Item>('PUT', '/api/admin/points/items/' + it.id, body);
        Object.assign(it, saved);
        this.fillItemSelect();
        note.textContent = t('saved');
        note.className = 'row-note notice';
      } catch (e) {
        note.textContent = errorText(e);
        note.className = 'row-note error';
      } finally {
        save.disabled = false;
      }
    });
    return h('tr', { 'data-item': it.id }, h('td', { 'data-label': t('market_col_name') }, name),
      h('td', { 'data-label': t('market_col_unit') }, it.unit_name), h('td', { 'data-label': t('market_col_price') }, price),
      h('td', { 'data-label': t('market_col_stock') }, stock), h('td', { 'data-label': t('market_col_active') }, active), h('td', {}, save, note));
  }

  private addForm(): HTMLElement {
    const owners = this.roots.filter((u) => u.level <= 2);
    if (owners.length === 0) return h('p', { class: 'muted small' }, t('market_no_owner'));
    const unit = h('select', { name: 'unit', 'aria-label': t('market_col_unit') }, owners.map((u) => h('option', { value: u.code }, u.name)));
    const name = h('input', { name: 'name', maxlength: 60, required: true, 'aria-label': t('market_col_name'), placeholder: t('market_col_name') });
    const price = h('input', { type: 'number', name: 'price', min: 1, max: 100000, required: true, inputmode: 'numeric', 'aria-label': t('market_col_price'), placeholder: t('market_col_price') });
    const stock = h('input', { type: 'number', name: 'stock', min: 0, inputmode: 'numeric', 'aria-label': t('market_col_stock'), placeholder: t('market_stock_ph') });
    const note = h('span', { class: 'row-note', role: 'status' });
    const form = h('form', { class: 'market-add', 'data-test': 'add-item' }, unit, name, price, stock,
      h('button', { type: 'submit', class: 'primary' }, t('market_add')), note);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        await this.http.send<Item>('POST', '/api/admin/points/items', { unit: unit.value, name: name.value.trim(), price: Number(price.value),
          stock: stock.value === '' ? null : Number(stock.value), active: true });
        name.value = price.value = stock.value = '';
        note.textContent = t('saved');
        note.className = 'row-note notice';
        await this.loadItems();
      } catch (e) {
        note.textContent = errorText(e);
        note.className = 'row-note error';
      }
    });
    return form;
  }

  private async findWorkers(): Promise<void> {
    try {
      const r = await this.http.get<{ workers: Worker[] }>('/api/admin/points/workers', { unit: this.roots[0].code, q: this.search.value.trim(), limit: 20 });
      clear(this.workers);
      for (const w of r.workers ?? []) {
        const pick = h('button', { type: 'button', class: 'market-worker', 'data-member': w.member_id },
          h('strong', {}, w.name), h('span', { class: 'muted' }, w.grid_name), h('span', { class: 'balance' }, t('market_points', { n: w.balance })));
        pick.addEventListener('click', () => this.choose(w));
        this.workers.append(h('li', {}, pick));
      }
      if ((r.workers ?? []).length === 0) this.workers.append(h('li', { class: 'muted' }, t('market_no_workers')));
      this.workers.dataset.loaded = 'true';
    } catch (e) {
      this.status.textContent = errorText(e);
    }
  }

  private choose(w: Worker): void {
    this.worker = w;
    this.chosen.textContent = t('market_chosen', { name: w.name, grid: w.grid_name, n: w.balance });
    this.chosen.dataset.balance = String(w.balance);
    this.redeemBtn.disabled = false;
    this.redeemNote.textContent = '';
  }

  private async redeem(): Promise<void> {
    const w = this.worker;
    if (!w || !this.itemSelect.value) return;
    this.redeemBtn.disabled = true;
    try {
      const r = await this.http.send<{ balance: number; redemption: Redemption }>('POST', '/api/admin/points/redemptions',
        { member_id: w.member_id, item_id: Number(this.itemSelect.value), quantity: Number(this.qty.value) });
      w.balance = r.balance;
      this.choose(w);
      this.redeemNote.textContent = t('market_redeemed', { item: r.redemption.item_name, n: r.redemption.points, left: r.balance });
      this.redeemNote.className = 'row-note notice';
      void this.findWorkers();
      void this.loadHistory();
      void this.loadItems();
    } catch (e) {
      const data = e instanceof ApiError ? (e.data as { balance?: number; cost?: number } | undefined) : undefined;
      this.redeemNote.textContent = e instanceof ApiError && e.code === 'insufficient_points' && data
        ? t('market_insufficient', { balance: data.balance ?? 0, cost: data.cost ?? 0 }) : errorText(e);
      this.redeemNote.className = 'row-note error';
    } finally {
      this.redeemBtn.disabled = false;
    }
  }

  private async loadHistory(): Promise<void> {
    try {
      const r = await this.http.get<{ redemptions: Redemption[] }>('/api/admin/points/redemptions', { limit: 50 });
      clear(this.historyBody);
      for (const x of r.redemptions ?? []) this.historyBody.append(this.historyRow(x));
      if ((r.redemptions ?? []).length === 0) this.historyBody.append(h('tr', {}, h('td', { colspan: 6, class: 'muted' }, t('market_no_history'))));
    } catch (e) {
      this.status.textContent = errorText(e);
    }
  }

  private historyRow(x: Redemption): HTMLElement {
    const last = h('td', {});
    if (x.cancelled_at) {
      last.append(h('span', { class: 'muted' }, t('market_cancelled', { reason: x.cancel_reason ?? '' })));
    } else {
      const reason = h('input', { name: 'reason', maxlength: 200, placeholder: t('market_cancel_reason'), 'aria-label': t('market_cancel_reason') });
      const cancel = h('button', { type: 'button', class: 'secondary', 'data-test': 'cancel' }, t('market_cancel'));
      const note = h('span', { class: 'row-note error', role: 'alert' });
      cancel.addEventListener('click', async () => {
        if (!reason.value.trim()) {
          note.textContent = t('market_cancel_need_reason');
          reason.focus();
          return;
        }
        try {
          await this.http.send('POST', `/api/admin/points/redemptions/${x.id}/cancel`, { reason: reason.value.trim() });
          void this.loadHistory();
          void this.findWorkers();
          void this.loadItems();
        } catch (e) {
          note.textContent = errorText(e);
        }
      });
      last.append(reason, cancel, note);
    }
    return h('tr', { 'data-redemption': x.id, class: x.cancelled_at ? 'cancelled' : '' },
      h('td', { 'data-label': t('market_col_when') }, dateTime(x.recorded_at)),
      h('td', { 'data-label': t('market_col_worker') }, x.member_name),
      h('td', { 'data-label': t('market_col_item') }, `${x.item_name} × ${x.quantity}`),
      h('td', { 'data-label': t('market_col_points') }, -x.points),
      h('td', { 'data-label': t('market_col_by') }, x.recorded_by_name), last);
  }

  private async loadWindow(): Promise<void> {
    let w: Window;
    try {
      w = await this.http.get<Window>('/api/admin/points/window');
    } catch (e) {
      this.status.textContent = errorText(e);
      return;
    }
    clear(this.windowBox);
    const now = w.period === '' ? t('market_window_none')
      : t(w.open ? 'market_window_open' : 'market_window_closed', { n: w.last_days, period: t('market_period_' + w.period), opens: w.opens ?? '', closes: w.closes_by ?? '' });
    this.windowBox.append(h('p', { 'data-test': 'window-now' }, now));
    if (!this.countyAdmin) return;
    const period = h('select', { name: 'period', 'aria-label': t('market_window_title') },
      h('option', { value: '' }, t('market_window_any')), h('option', { value: 'quarter' }, t('market_period_quarter')),
      h('option', { value: 'month' }, t('market_period_month')));
    period.value = w.period;
    const days = h('input', { type: 'number', name: 'last_days', min: 1, max: 31, value: w.last_days || 10, inputmode: 'numeric', 'aria-label': t('market_window_days') });
    const note = h('span', { class: 'row-note', role: 'status' });
    const save = h('button', { type: 'button', class: 'secondary' }, t('save'));
    save.addEventListener('click', async () => {
      try {
        await this.http.send('PUT', '/api/admin/points/window', { period: period.value, last_days: Number(days.value) });
        await this.loadWindow();
      } catch (e) {
        note.textContent = errorText(e);
        note.className = 'row-note error';
      }
    });
    this.windowBox.append(h('div', { class: 'market-window' }, period, h('label', { class: 'field qty' }, t('market_window_days'), days), save, note));
  }
}
