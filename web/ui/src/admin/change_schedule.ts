// Scheduling a reviewed draft (POST .../schedule, .../unschedule): the server applies it when
// its effective day begins. Offered while that day is still ahead; a refusal on the day is said.
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { today } from './change_form';
import { errorText, type Http } from './http';
import type { ChangeSet } from './types';

// scheduleNote says a set's schedule, or why it was not applied on its day; null if neither.
export function scheduleNote(c: ChangeSet): HTMLElement | null {
  if (c.state !== 'draft') return null;
  if (c.scheduled_at) return h('span', { class: 'state state-scheduled' }, t('state_scheduled', { date: c.effective_on }));
  if (c.schedule_error) return h('span', { class: 'schedule-error error' }, t('schedule_error', { error: c.schedule_error }));
  return null;
}

export function scheduleBox(http: Http, c: ChangeSet, done: (c: ChangeSet) => void): HTMLElement | null {
  if (c.state !== 'draft' || c.id <= 0 || (!c.scheduled_at && c.effective_on <= today())) return null;
  const on = !c.scheduled_at;
  const status = h('p', { class: 'error', role: 'alert' });
  const button = h('button', { type: 'button', class: on ? 'primary' : 'secondary', 'data-test': on ? 'change-schedule' : 'change-unschedule' },
    on ? t('change_schedule') : t('change_unschedule'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.textContent = '';
    try {
      const path = `/api/admin/grid/changes/${c.id}/${on ? 'schedule' : 'unschedule'}`;
      done(await http.send<ChangeSet>('POST', path));
    } catch (e) {
      status.textContent = errorText(e);
      button.disabled = false;
    }
  });
  return h('div', { class: 'schedule', 'data-scheduled': String(!on) },
    h('p', { class: 'small' }, on ? t('schedule_help', { date: c.effective_on }) : t('scheduled_help', { date: c.effective_on })),
    status, h('div', { class: 'buttons' }, button));
}
