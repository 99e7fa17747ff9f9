// The page of a county catalogue edited as a table (定级规则, 积分规则): a card with the title,
// the help, a note that below the county it is read-only, the status line and the table.
import { h } from '../lib/dom';

// readOnlyNote says a county-wide setting can only be read here; none for those who edit it.
export function readOnlyNote(canEdit: boolean, text: string): HTMLElement | null {
  return canEdit ? null : h('p', { class: 'notice small', 'data-test': 'read-only' }, text);
}

export interface RulesCard {
  page: string; // the page's class
  table: string; // the table's class
  title: string;
  help: string;
  readOnly: string; // the read-only note's text
  canEdit: boolean;
  status: HTMLElement;
  head: string[];
  body: HTMLElement;
}

export function rulesCard(c: RulesCard): HTMLElement {
  return h('div', { class: 'page ' + c.page }, h('section', { class: 'card' },
    h('h3', {}, c.title), h('p', { class: 'muted small' }, c.help), readOnlyNote(c.canEdit, c.readOnly), c.status,
    h('table', { class: 'responsive ' + c.table }, h('thead', {}, h('tr', {}, c.head.map((x) => h('th', {}, x)))), c.body)));
}
