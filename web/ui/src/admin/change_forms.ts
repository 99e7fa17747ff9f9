// The forms that draft a change set, one folded section each: split, merge, rename, retire,
// redraw. The unit open in the tree is offered to each.
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { DraftForm } from './change_form';
import { MergeKind } from './change_merge';
import { RedrawKind } from './change_redraw';
import { RenameKind } from './change_rename';
import { RetireKind } from './change_retire';
import { SplitKind } from './change_split';
import type { Http } from './http';
import type { AdminUnit, ChangeReport } from './types';

export class ChangeForms {
  readonly el: HTMLElement;
  private forms: DraftForm[];

  constructor(http: Http, drafted: (r: ChangeReport) => void) {
    const kinds = [new SplitKind(), new MergeKind(http), new RenameKind(), new RetireKind(http), new RedrawKind()];
    this.forms = kinds.map((k) => new DraftForm(http, k, drafted));
    this.el = h('div', { class: 'change-forms' }, this.forms.map((f, i) =>
      h('details', { class: 'new-' + kinds[i].name }, h('summary', {}, t(kinds[i].name + '_new')), f.el)));
  }

  prefill(u: AdminUnit): void {
    if (u.retired_at) return;
    for (const f of this.forms) f.prefill(u);
  }
}
