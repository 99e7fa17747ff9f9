// A rename: a current unit (offered from the tree) gets a new name; its code stays.
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { codeInput, offer, type DraftBody, type DraftForm, type DraftKind } from './change_form';
import type { AdminUnit } from './types';

export class RenameKind implements DraftKind {
  readonly name = 'rename';
  private code = codeInput('rename-code');
  private newName = h('input', { name: 'rename-name', required: true, maxlength: 100, autocomplete: 'off' });

  fields(): Node[] {
    return [h('label', {}, t('rename_unit'), this.code), h('label', {}, t('rename_new_name'), this.newName)];
  }

  prefill(u: AdminUnit, form: DraftForm): void {
    if (!offer(this.code, u.code)) return;
    this.newName.placeholder = u.name;
    form.suggest(t('rename_default_title', { name: u.name }));
  }

  async body(): Promise<DraftBody> {
    return { operations: [{ op: 'rename', code: this.code.value.trim(), name: this.newName.value.trim() }] };
  }

  reset(): void {
    this.newName.value = '';
    this.code.dataset.auto = 'true';
  }
}
