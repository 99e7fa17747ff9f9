// Photos and scans attached to an action (调处, 办结; docs/cases-api.md `photos`): a picker per
// action, kept across the panel's redraws like the drafts, uploaded (POST /api/photos) just
// before the action is sent. A refused upload is told in words, naming the file; files already
// uploaded are remembered, so trying again sends only the rest.
import { ApiError } from '../lib/api';
import { t } from '../lib/i18n';
import { PhotoPicker, uploadPhoto } from '../lib/photos';

export class Attachments {
  private pickers = new Map<string, PhotoPicker>();
  private uploaded = new WeakMap<File, string>();

  constructor(private token: string, private problem: (text: string) => void) {}

  picker(action: string): PhotoPicker {
    let p = this.pickers.get(action);
    if (!p) {
      p = new PhotoPicker(this.problem, { label: t('attach_photos') });
      this.pickers.set(action, p);
    }
    return p;
  }

  // upload sends the action's photos and returns their SHA-256s, or throws an Error worded for
  // the user. progress is told before each file.
  async upload(action: string, progress: (i: number, n: number) => void): Promise<string[]> {
    const files = [...(this.pickers.get(action)?.files ?? [])];
    const shas: string[] = [];
    for (const [i, f] of files.entries()) {
      let sha = this.uploaded.get(f);
      if (!sha) {
        progress(i + 1, files.length);
        try {
          sha = await uploadPhoto(this.token, f);
        } catch (e) {
          throw new Error(refusal(f.name, e));
        }
        this.uploaded.set(f, sha);
      }
      shas.push(sha);
    }
    return shas;
  }

  // sent forgets an action's photos once it is recorded.
  sent(action: string): void {
    this.pickers.get(action)?.reset();
    this.pickers.delete(action);
  }

  // release drops every picker and its thumbnails' blob: URLs (the case page closes).
  release(): void {
    for (const p of this.pickers.values()) p.reset();
    this.pickers.clear();
  }
}

function refusal(name: string, e: unknown): string {
  if (!(e instanceof ApiError)) return t('photo_refused', { name, msg: String(e) });
  if (e.status === 0) return t('err_network');
  if (e.status === 415) return t('photo_refused_type', { name });
  if (e.status === 413) return t('photo_refused_size', { name });
  return t('photo_refused', { name, msg: e.message });
}
