// Attaching photos, shared by the phone and the console: a picker (camera, gallery or files, with
// removable thumbnails) and the upload (POST /api/photos, stored by content hash). Reports and
// transitions then name their photos by SHA-256. The words are each app's: photos, add_photo,
// photo_too_big, photo_too_many, remove.
import { api } from './api';
import { clear, h } from './dom';
import { t } from './i18n';

export const maxPhotos = 9;
export const maxPhotoBytes = 8 << 20;

// uploadPhoto sends one photo and returns its SHA-256; uploading the same photo again is harmless.
export async function uploadPhoto(token: string, blob: Blob): Promise<string> {
  const res = await api<{ sha256: string }>('POST', '/api/photos', token, blob, blob.type || 'application/octet-stream');
  return res.sha256;
}

export interface PickerOptions {
  label?: string;
  camera?: boolean; // open the rear camera directly (phones); otherwise the file chooser
}

// PhotoPicker is the "take or choose photos" control with removable thumbnails.
export class PhotoPicker {
  files: File[] = [];
  readonly input: HTMLInputElement;
  readonly thumbs = h('div', { class: 'thumbs' });
  readonly el: HTMLElement;

  constructor(private problem: (message: string) => void, opts: PickerOptions = {}) {
    this.input = h('input', { type: 'file', accept: 'image/jpeg,image/png,image/webp', capture: opts.camera ? 'environment' : null,
      multiple: true, class: 'visually-hidden' });
    this.input.addEventListener('change', () => this.add());
    this.el = h('div', { class: 'photos picker' }, h('div', { class: 'label' }, opts.label ?? t('photos')), this.thumbs,
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
