// A split: the unit (offered from the tree), and a GeoJSON of the units that replace it;
// where its staff go, optional.
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { codeInput, GeoFile, offer, type DraftBody, type DraftForm, type DraftKind } from './change_form';
import type { AdminUnit } from './types';

export class SplitKind implements DraftKind {
  readonly name = 'split';
  private code = codeInput('split-code');
  private file = new GeoFile('split', t('split_file'));
  private moveTo = h('input', { name: 'split-move', maxlength: 18, inputmode: 'numeric', autocomplete: 'off' });

  fields(): Node[] {
    return [h('label', {}, t('split_unit'), this.code), ...this.file.el, h('label', {}, t('split_move'), this.moveTo)];
  }

  prefill(u: AdminUnit, form: DraftForm): void {
    if (offer(this.code, u.code)) form.suggest(t('split_default_title', { name: u.name }));
  }

  async body(): Promise<DraftBody> {
    const features = await this.file.features();
    const code = this.code.value.trim();
    const move = this.moveTo.value.trim();
    return { split: { code, into: { type: 'FeatureCollection', features } }, moves: move ? { [code]: move } : {} };
  }

  reset(): void {
    this.file.reset();
    this.moveTo.value = '';
    this.code.dataset.auto = 'true';
  }
}
