// Showing a stored photo on the phone. Picking and uploading photos are shared with the console
// (../lib/photos.ts).

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
