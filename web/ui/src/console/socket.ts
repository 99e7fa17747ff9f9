// The console's websocket (docs/cases-api.md, "Live updates"): connects with the session token
// as a subprotocol, subscribes to one centre, and hands on its `case` frames. It reconnects
// with exponential back-off and jitter (1 s doubling to 30 s), at once when the network is
// back, and says when a (re)subscription is in place so the caller reloads the queue: frames
// sent while disconnected are not replayed.
import type { CaseFrame } from './types';

export type ConnState = 'offline' | 'connecting' | 'online';

export interface SocketEvents {
  state(s: ConnState): void;
  subscribed(): void; // live from now on: reload what may have been missed
  frame(f: CaseFrame): void;
  failed(code: string, message: string): void; // the subscription was refused
  refused(): void; // the upgrade failed: the caller checks whether the session still holds
}

const maxDelayMs = 30_000;

export class ConsoleSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: number | undefined;
  private stopped = true;
  private subs = 0;
  state: ConnState = 'offline';
  private readonly onOnline = () => this.reconnectNow();
  private readonly onOffline = () => this.ws?.close();

  constructor(private token: string, private centre: string, private on: SocketEvents) {}

  start(): void {
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
    this.reconnectNow();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    clearTimeout(this.timer);
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000);
    this.setState('offline');
  }

  private reconnectNow(): void {
    clearTimeout(this.timer);
    this.attempt = 0;
    this.open();
  }

  private setState(s: ConnState): void {
    if (this.state === s) return;
    this.state = s;
    this.on.state(s);
  }

  private open(): void {
    if (this.stopped || this.ws) return;
    if (!navigator.onLine) {
      this.setState('offline');
      return; // the 'online' event reconnects
    }
    this.setState('connecting');
    const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, ['griddispatch.v1', 'bearer.' + this.token]);
    } catch {
      this.retry();
      return;
    }
    this.ws = ws;
    let opened = false;
    const subID = 's' + ++this.subs;
    ws.onopen = () => {
      opened = true;
    };
    ws.onmessage = (e) => {
      let f: { type?: string; id?: string; code?: string; message?: string };
      try {
        f = JSON.parse(String(e.data));
      } catch {
        return;
      }
      if (f.type === 'hello') {
        ws.send(JSON.stringify({ type: 'subscribe', id: subID, centre: this.centre }));
      } else if (f.type === 'subscribed' && f.id === subID) {
        this.attempt = 0;
        this.setState('online');
        this.on.subscribed();
      } else if (f.type === 'error' && f.id === subID) {
        this.on.failed(f.code ?? 'error', f.message ?? '');
      } else if (f.type === 'case') {
        this.on.frame(f as CaseFrame);
      }
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.setState(navigator.onLine ? 'connecting' : 'offline');
      if (!opened) this.on.refused();
      this.retry();
    };
  }

  private retry(): void {
    if (this.stopped) return;
    const base = Math.min(maxDelayMs, 1000 * 2 ** this.attempt);
    this.attempt++;
    clearTimeout(this.timer);
    this.timer = window.setTimeout(() => this.open(), base / 2 + (Math.random() * base) / 2);
  }
}
