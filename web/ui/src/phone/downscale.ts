// Photos are made small on the phone before they are kept or sent: a 12-megapixel photo is 3 to
// 6 MB, minutes on a village link; at 1600 px on its long edge as JPEG it is a few hundred kB and
// still shows what happened.
export const maxEdge = 1600;
const quality = 0.82;
// keepBytes: a photo already this small and no larger than maxEdge is kept as it is.
const keepBytes = 600 << 10;

export interface Downscaled {
  blob: Blob;
  width: number;
  height: number;
  scaled: boolean;
}

// downscale returns the photo with its long edge at most maxEdge px, re-encoded as JPEG, or the
// photo itself when it is already small (or cannot be decoded here: the server then says why).
export async function downscale(file: Blob): Promise<Downscaled> {
  let bmp: ImageBitmap;
  try {
    bmp = await createImageBitmap(file, { imageOrientation: 'from-image' });
  } catch {
    return { blob: file, width: 0, height: 0, scaled: false };
  }
  try {
    const { width, height } = bmp;
    const long = Math.max(width, height);
    if (long <= maxEdge && file.size <= keepBytes) return { blob: file, width, height, scaled: false };
    const k = Math.min(1, maxEdge / long);
    const w = Math.max(1, Math.round(width * k));
    const hgt = Math.max(1, Math.round(height * k));
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = hgt;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff'; // a PNG's transparency becomes white, not black, in the JPEG
    ctx.fillRect(0, 0, w, hgt);
    ctx.drawImage(bmp, 0, 0, w, hgt);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', quality));
    if (!blob || blob.size >= file.size) return { blob: file, width, height, scaled: false };
    return { blob, width: w, height: hgt, scaled: true };
  } finally {
    bmp.close();
  }
}
