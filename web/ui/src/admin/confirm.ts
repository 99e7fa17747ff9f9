// An inline confirmation: the question and two buttons in place of a browser dialog, which
// phones show badly and which cannot say what will happen in full.
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';

export function askInline(slot: HTMLElement, question: string, yes: string, act: () => Promise<void>): void {
  clear(slot);
  const ok = h('button', { type: 'button', class: 'primary danger', 'data-test': 'confirm' }, yes);
  const no = h('button', { type: 'button', class: 'secondary', 'data-test': 'cancel', onclick: () => clear(slot) }, t('cancel'));
  ok.addEventListener('click', async () => {
    ok.disabled = no.disabled = true;
    await act();
  });
  slot.append(h('div', { class: 'confirm', role: 'alertdialog' }, h('p', {}, question), h('div', { class: 'buttons' }, ok, no)));
}
