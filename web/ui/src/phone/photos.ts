// Photos: picking them (camera or gallery, with thumbnails) and uploading them (POST /api/photos,
// stored by content hash). Reports and verifications both attach photos by their SHA-256.
import { api } from '../lib/api';
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';

export const maxPhotos = 9;
export const maxPhotoBytes = 8 << 20;

// uploadPhoto sends one photo and returns its SHA-256; uploading the same photo again is harmless.
export async function uploadPhoto(token: string, blob: Blob): Promise<string> {
  const res = await api<{ sha256: string }>('POST', '/api/photos', token, blob, blob.type || 'application/octet-stream');
  return res.sha256;
}

// showPhoto fills img with a stored photo: /api/photos needs the session, which an <img src>
// cannot send, so it is fetched and shown from a blob: URL.
export async function showPhoto(img: HTMLImageElement, token: string, sha256: string): Promise<void> {
  try {
    const res = await fetch('/api/photos/' + encodeURIComponent(sha256), { headers: { Authorization: 'Bearer ' + token } });
    if (res.ok) img.src = URL.createObjectURL(await res.blob());
  } catch {
    // offline: the photo stays blank
  }
}

// PhotoPicker is the "take or choose photos" control with removable thumbnails.
export class PhotoPicker {
  files: File[] = [];
  readonly input = h('input', { type: 'file', accept: 'image/jpeg,image/png,image/webp', capture: 'environment', multiple: true, class: 'visually-hidden' });
  readonly thumbs = h('div', { class: 'thumbs' });
  readonly el: HTMLElement;

  constructor(private problem: (message: string) => void, label = t('photos')) {
    this.input.addEventListener('change', () => this.add());
    this.el = h('div', { class: 'photos' }, h('div', { class: 'label' }, label), this.thumbs,
      h('label', { class: 'button' }, t('add_photo'), this.input));
  }

  reset(): void {
    this.files = [];
    this.render();
  }

  private add(): void {
    for (const f of Array.from(this.input.files ?? [])) {
      if (this.files.length >= maxPhotos) {
        this.problem(t('photo_too_many'));
        break;
      }
      if (f.size > maxPhotoBytes) {
        this.problem(t('photo_too_big', { name: f.name }));
        continue;
      }
      this.files.push(f);
    }
    this.input.value = '';
    this.render();
  }

  private render(): void {
    for (const img of this.thumbs.querySelectorAll('img')) URL.revokeObjectURL(img.src);
    clear(this.thumbs);
    this.files.forEach((f, i) => {
      this.thumbs.append(h('figure', {}, h('img', { src: URL.createObjectURL(f), alt: f.name }),
        h('button', { type: 'button', class: 'link', onclick: () => { this.files.splice(i, 1); this.render(); } }, t('remove'))));
    });
  }
}
