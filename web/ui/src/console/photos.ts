// Photos need the session token (GET /api/photos/{sha} answers only to those who may see the
// case), so they are fetched, turned into blob: URLs and shown from those; the URLs are
// released when the case page closes.
import { h } from '../lib/dom';

export class Photos {
  private urls = new Map<string, Promise<string>>();

  constructor(private token: string) {}

  private url(sha: string): Promise<string> {
    let p = this.urls.get(sha);
    if (!p) {
      p = fetch('/api/photos/' + encodeURIComponent(sha), { headers: { Authorization: 'Bearer ' + this.token } })
        .then((r) => (r.ok ? r.blob() : Promise.reject(new Error('photo ' + r.status))))
        .then((b) => URL.createObjectURL(b));
      p.catch(() => this.urls.delete(sha));
      this.urls.set(sha, p);
    }
    return p;
  }

  // strip shows photos as thumbnails, each opening full size in a new tab.
  strip(shas: string[] | null | undefined): HTMLElement | null {
    if (!shas || shas.length === 0) return null;
    return h('div', { class: 'photos' }, shas.map((sha) => {
      const img = h('img', { alt: '', 'data-sha': sha, loading: 'lazy' });
      const link = h('a', { target: '_blank', rel: 'noopener' }, img);
      this.url(sha).then((u) => {
        img.src = u;
        link.href = u;
      }, () => img.classList.add('missing'));
      return link;
    }));
  }

  release(): void {
    for (const p of this.urls.values()) p.then((u) => URL.revokeObjectURL(u), () => {});
    this.urls.clear();
  }
}
