// The phone's photo picker: the camera, or a photo already on the phone (taken earlier, received
// in a chat). `capture` opens only the camera on real phones, so there are two buttons. Each
// photo is made small (downscale.ts) as it is picked, so the outbox keeps and sends the small one.
import { clear, h } from '../lib/dom';
import { t } from '../lib/i18n';
import { maxPhotoBytes, maxPhotos } from '../lib/photos';
import { downscale } from './downscale';

// maxPickedBytes: what a phone's camera may give before downscaling (a 50-MP photo).
const maxPickedBytes = 40 << 20;

export class PhonePhotoPicker {
  files: Blob[] = [];
  readonly el: HTMLElement;
  private thumbs = h('div', { class: 'thumbs' });
  private busy = h('span', { class: 'photo-busy', role: 'status' });
  private camera = h('input', { type: 'file', accept: 'image/*', capture: 'environment', class: 'visually-hidden', 'data-test': 'camera' });
  private gallery = h('input', { type: 'file', accept: 'image/*', multiple: true, class: 'visually-hidden', 'data-test': 'gallery' });
  private pending = Promise.resolve();

  constructor(private problem: (message: string) => void, label = t('photos')) {
    for (const input of [this.gallery, this.camera]) input.addEventListener('change', () => this.pick(input));
    this.el = h('div', { class: 'photos picker' }, h('div', { class: 'label' }, label), this.thumbs,
      h('div', { class: 'photo-buttons' },
        h('label', { class: 'button' }, t('take_photo'), this.camera),
        h('label', { class: 'button' }, t('choose_photo'), this.gallery)),
      this.busy);
  }

  // ready: every photo picked so far is downscaled.
  ready(): Promise<void> {
    return this.pending;
  }

  reset(): void {
    this.files = [];
    this.render();
  }

  private pick(input: HTMLInputElement): void {
    const picked = Array.from(input.files ?? []);
    input.value = '';
    this.pending = this.pending.then(() => this.add(picked));
  }

  private async add(picked: File[]): Promise<void> {
    this.busy.textContent = t('photo_shrinking');
    for (const f of picked) {
      if (this.files.length >= maxPhotos) {
        this.problem(t('photo_too_many'));
        break;
      }
      if (f.size > maxPickedBytes) {
        this.problem(t('photo_too_big', { name: f.name }));
        continue;
      }
      const d = await downscale(f);
      if (d.blob.size > maxPhotoBytes) {
        this.problem(t('photo_too_big', { name: f.name }));
        continue;
      }
      this.files.push(d.blob);
    }
    this.busy.textContent = '';
    this.render();
  }

  private render(): void {
    for (const img of this.thumbs.querySelectorAll('img')) URL.revokeObjectURL(img.src);
    clear(this.thumbs);
    this.files.forEach((f, i) => {
      this.thumbs.append(h('figure', { 'data-bytes': f.size, 'data-type': f.type }, h('img', { src: URL.createObjectURL(f), alt: t('photo_n', { n: i + 1 }) }),
        h('button', { type: 'button', class: 'link', onclick: () => { this.files.splice(i, 1); this.render(); } }, t('remove'))));
    });
  }
}
