// A retirement: a unit (offered from the tree) and its subtree leave the current grid; the
// successors, picked among its siblings, take over its area.
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { codeInput, offer, type DraftBody, type DraftForm, type DraftKind } from './change_form';
import { SiblingPicker } from './change_siblings';
import type { Http } from './http';
import type { AdminUnit } from './types';

export class RetireKind implements DraftKind {
  readonly name = 'retire';
  private code = codeInput('retire-code');
  private successors: SiblingPicker;

  constructor(http: Http) {
    this.successors = new SiblingPicker(http, 'retire-successor', t('retire_successors'), true);
  }

  fields(): Node[] {
    return [h('label', {}, t('retire_unit'), this.code), this.successors.el];
  }

  prefill(u: AdminUnit, form: DraftForm): void {
    if (!offer(this.code, u.code)) return;
    void this.successors.show(u);
    form.suggest(t('retire_default_title', { name: u.name }));
  }

  async body(): Promise<DraftBody> {
    const successors = this.successors.codes();
    if (!successors.length) throw new Error(t('retire_no_successor'));
    return { operations: [{ op: 'retire', code: this.code.value.trim(), successors }] };
  }

  reset(): void {
    this.successors.reset();
    this.code.dataset.auto = 'true';
  }
}
