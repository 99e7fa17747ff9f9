// A merge: two or more sibling units (picked among the open unit's siblings) become the one
// unit drawn in the uploaded GeoJSON (a Feature, or a collection of one).
import { t } from '../lib/i18n';
import { GeoFile, type DraftBody, type DraftForm, type DraftKind } from './change_form';
import { SiblingPicker } from './change_siblings';
import type { Http } from './http';
import type { AdminUnit } from './types';

export class MergeKind implements DraftKind {
  readonly name = 'merge';
  private units: SiblingPicker;
  private file = new GeoFile('merge', t('merge_file'));

  constructor(http: Http) {
    this.units = new SiblingPicker(http, 'merge-unit', t('merge_units'), false);
  }

  fields(): Node[] {
    return [this.units.el, ...this.file.el];
  }

  prefill(u: AdminUnit, form: DraftForm): void {
    void this.units.show(u);
    form.suggest(t('merge_default_title', { name: u.name }));
  }

  async body(): Promise<DraftBody> {
    const codes = this.units.codes();
    if (codes.length < 2) throw new Error(t('merge_two'));
    const features = await this.file.features();
    if (features.length !== 1) throw new Error(t('merge_one_feature', { n: features.length }));
    return { merge: { codes, into: features[0] } };
  }

  reset(): void {
    this.units.reset();
    this.file.reset();
  }
}
