// Where the staff of retired units go, for a draft whose report leaves assignments flagged:
// a unit of the same level for each retired code. The draft is made again with these moves
// (POST /api/admin/grid/changes with its own operations) and the old one discarded.
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { changeReportOf } from './change_form';
import { errorText, type Http } from './http';
import type { ChangeReport } from './types';

export function movesEditor(http: Http, r: ChangeReport, redrafted: (r: ChangeReport, note: string) => void): HTMLElement | null {
  if (r.applied || r.change.state !== 'draft' || !r.flagged?.length || !r.change.operations) return null;
  const froms = [...new Set(r.flagged.map((m) => m.from))];
  const inputs = froms.map((from) => {
    const list = 'moves-' + from;
    const successors = (r.retired ?? []).filter((u) => from.startsWith(u.code)).flatMap((u) => u.successors ?? [])
      .filter((s) => s.length === from.length);
    const input = h('input', { name: 'move-' + from, 'data-from': from, maxlength: 18, inputmode: 'numeric', autocomplete: 'off',
      list, value: r.change.moves?.[from] ?? '' });
    const n = r.flagged!.filter((m) => m.from === from).length;
    return { from, input, el: h('label', {}, t('move_from', { code: from, n }), input,
      h('datalist', { id: list }, successors.map((s) => h('option', { value: s })))) };
  });
  const status = h('p', { class: 'error', role: 'alert' });
  const button = h('button', { type: 'button', class: 'secondary', 'data-test': 'moves-redraft' }, t('moves_redraft'));
  button.addEventListener('click', async () => {
    const moves: Record<string, string> = { ...(r.change.moves ?? {}) };
    for (const { from, input } of inputs) {
      if (input.value.trim()) moves[from] = input.value.trim();
      else delete moves[from];
    }
    button.disabled = true;
    status.textContent = '';
    try {
      const again = await http.send<ChangeReport>('POST', '/api/admin/grid/changes',
        { title: r.change.title, effective_on: r.change.effective_on, operations: r.change.operations, moves });
      await http.send('POST', `/api/admin/grid/changes/${r.change.id}/discard`);
      redrafted(again, t('moves_redrafted', { id: r.change.id }));
    } catch (e) {
      const refused = changeReportOf(e);
      if (refused) redrafted(refused, t('split_invalid'));
      else status.textContent = errorText(e);
      button.disabled = false;
    }
  });
  return h('div', { class: 'change-moves' }, h('h4', {}, t('moves_title')), h('p', { class: 'muted small' }, t('moves_help')),
    inputs.map((x) => x.el), status, h('div', { class: 'buttons' }, button));
}
