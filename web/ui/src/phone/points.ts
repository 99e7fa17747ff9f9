// 我的积分: the grid worker's points (docs/points.md). The balance, month by month what was
// earned and lost, each row with its indicator and case number, and the county's rules. Read from
// GET /api/my/points each time the tab is opened; a month's rows on choosing the month.
import './points.css';
import { api, type Session } from '../lib/api';
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { PointItems } from './points_items';

interface PointMonth { month: string; earned: number; lost: number }
interface PointRow {
  id: number;
  month: string;
  points: number;
  kind: 'case' | 'manual' | 'reversal' | 'redemption';
  rule?: string;
  category?: string;
  indicator?: string;
  case_id?: number;
  day?: string;
  note?: string;
  at: string;
  reverses?: number;
  cancelled: boolean;
}
interface PointRule {
  code: string;
  category: string;
  indicator: string;
  points: number;
  trigger: string;
  cap_points: number | null;
  cap_period: string | null;
}
interface MyPointsReply { balance: number; months: PointMonth[]; rows: PointRow[]; rules: PointRule[] }

const signed = (n: number) => (n > 0 ? '+' + n : String(n));

export class MyPoints {
  el = h('section', { class: 'points', 'data-test': 'points' });
  private month = '';
  private items: PointItems;

  constructor(private session: Session) {
    this.items = new PointItems(session, () => void this.refresh());
  }

  async refresh(): Promise<void> {
    let reply: MyPointsReply;
    try {
      reply = await api<MyPointsReply>('GET', '/api/my/points' + (this.month ? '?month=' + this.month : ''), this.session.token);
    } catch {
      clear(this.el);
      this.el.append(h('p', { class: 'error', role: 'alert' }, t('points_offline')));
      return;
    }
    this.render(reply);
  }

  private render(r: MyPointsReply): void {
    clear(this.el);
    const shown = this.month || r.months[0]?.month || '';
    const current = r.months.find((m) => m.month === shown);
    const parts: (HTMLElement | null)[] = [
      h('div', { class: 'points-card' },
        h('div', { class: 'points-label' }, t('points_balance')),
        h('div', { class: 'points-balance', 'data-test': 'points-balance' }, String(r.balance)),
        current ? h('div', { class: 'points-month-sum' },
          h('span', { class: 'earned' }, t('points_earned', { n: current.earned })),
          current.lost ? h('span', { class: 'lost' }, t('points_lost', { n: current.lost })) : null) : null),
      r.months.length ? h('div', { class: 'points-months', role: 'tablist', 'aria-label': t('points_months') },
        r.months.map((m) => h('button', {
          type: 'button', role: 'tab', 'data-month': m.month, 'aria-selected': String(m.month === shown),
          onclick: () => { this.month = m.month; void this.refresh(); },
        }, h('span', { class: 'm' }, monthName(m.month)), h('span', { class: 'net' }, signed(m.earned - m.lost))))) : null,
      r.rows.length
        ? h('ul', { class: 'point-rows', 'data-test': 'point-rows' }, r.rows.filter((row) => !this.month || row.month === this.month).map((row) => this.row(row)))
        : h('p', { class: 'points-empty', 'data-test': 'points-empty' }, t('points_none')),
      this.rules(r.rules),
    ];
    for (const p of parts) if (p) this.el.append(p);
    this.el.append(this.items.el);
    void this.items.refresh(r.rules);
  }

  private row(row: PointRow): HTMLElement {
    const title = row.kind === 'reversal' ? t('points_reversal', { what: row.indicator ?? '' })
      : row.kind === 'redemption' ? t('points_redemption') : row.indicator ?? '';
    return h('li', { class: 'point-row', 'data-kind': row.kind, 'data-cancelled': String(row.cancelled) },
      h('div', { class: 'row-head' },
        h('span', { class: 'indicator' }, title),
        h('span', { class: row.points > 0 ? 'pts plus' : 'pts minus' }, signed(row.points))),
      h('div', { class: 'meta' },
        row.category ? h('span', {}, row.category) : null,
        row.day ? h('span', {}, row.day) : null,
        row.case_id ? h('span', { class: 'case-no' }, t('points_case', { n: row.case_id })) : null,
        row.cancelled ? h('span', { class: 'cancelled' }, t('points_cancelled')) : null),
      row.note ? h('p', { class: 'point-note' }, row.note) : null);
  }

  private rules(rules: PointRule[]): HTMLElement {
    const byCategory = new Map<string, PointRule[]>();
    for (const r of rules) byCategory.set(r.category, [...(byCategory.get(r.category) ?? []), r]);
    const how = (r: PointRule) => [
      r.trigger === 'manual' ? t('points_rule_manual') : t('points_rule_auto'),
      r.cap_points && r.cap_period ? t('points_cap_' + r.cap_period, { n: r.cap_points }) : '',
    ].filter(Boolean).join(' · ');
    const item = (r: PointRule) => h('li', {},
      h('span', { class: 'indicator' }, r.indicator),
      h('span', { class: r.points > 0 ? 'pts plus' : 'pts minus' }, signed(r.points)),
      h('span', { class: 'rule-how' }, how(r)));
    return h('details', { class: 'point-rules', 'data-test': 'point-rules' },
      h('summary', {}, t('points_rules')),
      [...byCategory].map(([category, list]) => h('div', { class: 'rule-group' }, h('h3', {}, category), h('ul', {}, list.map(item)))),
      h('p', { class: 'rule-foot' }, t('points_rules_foot')));
  }
}

function monthName(m: string): string {
  const [y, mo] = m.split('-');
  return t('points_month', { y, m: String(Number(mo)) });
}
