// A redraw: each feature of the uploaded GeoJSON gives the current unit of its code a new
// polygon; names and codes stay.
import { t } from '../lib/i18n';
import { GeoFile, type DraftBody, type DraftForm, type DraftKind } from './change_form';
import type { AdminUnit } from './types';

export class RedrawKind implements DraftKind {
  readonly name = 'redraw';
  private file = new GeoFile('redraw', t('redraw_file'));

  fields(): Node[] {
    return this.file.el;
  }

  prefill(u: AdminUnit, form: DraftForm): void {
    form.suggest(t('redraw_default_title', { name: u.name }));
  }

  async body(): Promise<DraftBody> {
    const features = await this.file.features();
    const operations = features.map((f, i) => {
      const code = String(f?.properties?.code ?? '').trim();
      if (!code) throw new Error(t('redraw_no_code', { n: i + 1 }));
      return { op: 'redraw', code, geometry: f.geometry };
    });
    if (!operations.length) throw new Error(t('redraw_empty'));
    return { operations };
  }

  reset(): void {
    this.file.reset();
  }
}
