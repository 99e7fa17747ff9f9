// Uploading a photo with its progress (POST /api/photos): fetch cannot report how much of a
// request body has gone, XMLHttpRequest can, and on a village link the worker wants to see it move.
import { ApiError } from '../lib/api';

export function uploadWithProgress(token: string, blob: Blob, progress: (fraction: number) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', '/api/photos');
    x.setRequestHeader('Authorization', 'Bearer ' + token);
    x.setRequestHeader('Content-Type', blob.type || 'application/octet-stream');
    x.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) progress(e.loaded / e.total);
    };
    x.onload = () => {
      let data: { sha256?: string; error?: string; message?: string } = {};
      try {
        data = JSON.parse(x.responseText);
      } catch {
        // not JSON: the status says enough
      }
      if (x.status >= 200 && x.status < 300 && data.sha256) {
        progress(1);
        resolve(data.sha256);
      } else {
        reject(new ApiError(x.status, data.error ?? 'http_' + x.status, data.message ?? x.statusText, Number(x.getResponseHeader('Retry-After') ?? 0)));
      }
    };
    x.onerror = () => reject(new ApiError(0, 'network', 'network error'));
    x.ontimeout = x.onerror;
    x.send(blob);
  });
}
