// The grid page (网格): the tree and search on the left; the open unit with its map, the
// upload, and the change sets on the right (one column on a phone).
import { h } from '../lib/dom';
import { ChangeSets } from './change_sets';
import { GridTree } from './grid_tree';
import { GridUpload } from './grid_upload';
import type { Http } from './http';
import { UnitDetail } from './unit_detail';

export class GridPage {
  readonly el: HTMLElement;
  private tree: GridTree;
  private detail: UnitDetail;
  private upload: GridUpload;
  private changes: ChangeSets;
  private started = false;

  constructor(http: Http) {
    const open = (code: string) => this.open(code);
    this.tree = new GridTree(http, (code) => void this.detail.show(code));
    this.detail = new UnitDetail(http, open, (u) => this.changes.prefill(u));
    this.upload = new GridUpload(http, () => this.refresh());
    this.changes = new ChangeSets(http, open, () => this.refresh());
    this.el = h('div', { class: 'page grid-page' },
      h('div', { class: 'side' }, this.tree.el),
      h('div', { class: 'main' }, this.detail.el, this.upload.el, this.changes.el));
  }

  show(): void {
    if (this.started) return;
    this.started = true;
    void this.tree.load();
    void this.changes.load();
  }

  open(code: string): void {
    this.tree.mark(code);
    void this.detail.show(code);
    this.detail.el.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }

  private refresh(): void {
    void this.tree.reload();
    if (this.detail.code) void this.detail.show(this.detail.code);
  }
}
