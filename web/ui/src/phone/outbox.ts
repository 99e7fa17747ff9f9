// Sends the outbox: photos first over HTTP, then each report over the websocket with its
// client_id as request id, until the server acknowledges it (committed in PostgreSQL). A report
// is resent with the same client_id after any doubt (lost connection, no answer, a retryable
// error); the server stores it once whatever happens.
import { ApiError } from '../lib/api';
import { uploadWithProgress } from './upload';
import type { Frame, PhoneSocket } from './socket';
import { getItem, items, keepAcknowledged, putItem, type OutboxItem, type Receipt } from './store';

const maxInFlight = 8; // the server stores at most 8 reports of a connection at once
const answerTimeoutMs = 20_000; // no answer by then: the connection is presumed dead
const retryMs = 3_000;

// Progress is how far a report's photos have gone: photo (1-based) of total, and the share of
// that photo sent. Kept in memory only: after a restart the upload starts again anyway.
export interface Progress {
  photo: number;
  total: number;
  fraction: number;
}
export const uploads = new Map<string, Progress>();

export class OutboxSender {
  private inFlight = new Map<string, number>(); // client_id -> when sent
  private flushing = false;
  private again = false;
  private timer: number | undefined;
  // The server allows 5 messages a second with bursts of 20; keep under it.
  private tokens = 16;
  private lastRefill = Date.now();

  constructor(
    private memberID: number,
    private token: string,
    private socket: PhoneSocket,
    private changed: () => void,
  ) {
    window.setInterval(() => this.watchdog(), 5_000);
  }

  // flush sends what is waiting, if connected.
  async flush(): Promise<void> {
    if (this.flushing) {
      this.again = true;
      return;
    }
    this.flushing = true;
    try {
      do {
        this.again = false;
        await this.sendWaiting();
      } while (this.again);
    } finally {
      this.flushing = false;
    }
  }

  // disconnected forgets what was in flight: it is resent on the next connection.
  async disconnected(): Promise<void> {
    this.inFlight.clear();
    for (const it of await items(this.memberID)) {
      if (it.state === 'sending') {
        it.state = 'queued';
        await putItem(it);
      }
    }
    this.changed();
  }

  async onFrame(f: Frame): Promise<void> {
    if (f.type === 'ack' && f.id) {
      await this.acked(f.id, f.receipt as Receipt);
    } else if (f.type === 'error' && f.id) {
      await this.refused(f);
    } else if (f.type === 'status') {
      await this.status(f);
    }
  }

  private async sendWaiting(): Promise<void> {
    if (this.socket.state !== 'online') return;
    const waiting = (await items(this.memberID))
      .filter((it) => it.state === 'queued' || (it.state === 'sending' && !this.inFlight.has(it.client_id)))
      .reverse(); // oldest first
    for (const it of waiting) {
      if (this.inFlight.size >= maxInFlight || !this.takeToken()) {
        this.later(1_000);
        return;
      }
      try {
        await this.uploadPhotos(it);
      } catch (e) {
        if (e instanceof ApiError && !e.retryable) {
          await this.reject(it, { code: e.code, field: 'photos', message: e.message });
          continue;
        }
        this.later(retryMs);
        return;
      }
      if (!this.socket.send({ type: 'report', id: it.client_id, report: it.report })) return;
      this.inFlight.set(it.client_id, Date.now());
      it.state = 'sending';
      await putItem(it);
      this.changed();
    }
  }

  private async uploadPhotos(it: OutboxItem): Promise<void> {
    let changed = false;
    const total = it.photos.length;
    for (const [i, p] of it.photos.entries()) {
      if (p.sha256) continue;
      if (!p.blob) throw new ApiError(400, 'photo_missing', 'photo lost before upload');
      let shown = -1;
      const progress = (fraction: number) => {
        uploads.set(it.client_id, { photo: i + 1, total, fraction });
        const step = Math.floor(fraction * 20); // redraw every 5 %
        if (step !== shown) {
          shown = step;
          this.changed();
        }
      };
      progress(0);
      try {
        p.sha256 = await uploadWithProgress(this.token, p.blob, progress);
      } finally {
        uploads.delete(it.client_id);
      }
      changed = true;
    }
    if (changed) {
      it.report.photos = it.photos.map((p) => p.sha256!);
      await putItem(it);
    }
  }

  private async acked(clientID: string, receipt: Receipt): Promise<void> {
    this.inFlight.delete(clientID);
    const it = await getItem(clientID);
    if (it) {
      it.state = 'acked';
      it.receipt = receipt;
      it.case_state = receipt.state;
      it.case_level = receipt.level;
      it.photos = it.photos.map((p) => ({ sha256: p.sha256 })); // the server has them now
      delete it.error;
      await putItem(it);
      await keepAcknowledged(this.memberID, 200);
      this.changed();
    }
    void this.flush();
  }

  private async refused(f: Frame): Promise<void> {
    const clientID = f.id!;
    this.inFlight.delete(clientID);
    const it = await getItem(clientID);
    if (!it) return;
    if (f.retryable) {
      it.state = 'queued';
      await putItem(it);
      this.changed();
      this.later(retryMs);
      return;
    }
    await this.reject(it, { code: String(f.code), field: f.field as string | undefined, message: String(f.message) });
  }

  private async reject(it: OutboxItem, error: OutboxItem['error']): Promise<void> {
    it.state = 'rejected';
    it.error = error;
    await putItem(it);
    this.changed();
  }

  private async status(f: Frame): Promise<void> {
    for (const it of await items(this.memberID)) {
      if (it.receipt && it.receipt.event_id === f.event_id) {
        it.case_state = String(f.state);
        it.case_level = Number(f.level);
        it.case_version = typeof f.version === 'number' ? f.version : undefined;
        await putItem(it);
        this.changed();
      }
    }
  }

  private takeToken(): boolean {
    const now = Date.now();
    this.tokens = Math.min(16, this.tokens + ((now - this.lastRefill) / 1000) * 4);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }

  private later(ms: number): void {
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.flush(), ms);
  }

  private watchdog(): void {
    const now = Date.now();
    for (const sent of this.inFlight.values()) {
      if (now - sent > answerTimeoutMs) {
        this.socket.drop(); // reconnecting resends everything unanswered
        return;
      }
    }
  }
}
