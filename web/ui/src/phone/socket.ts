// One websocket to the server (docs/protocol.md), reconnected with exponential back-off and
// jitter (1 s doubling to 30 s), at once when the browser says the network is back.
export interface Frame {
  type: string;
  id?: string;
  [k: string]: unknown;
}

export type ConnState = 'offline' | 'connecting' | 'online';

export interface SocketEvents {
  frame(f: Frame): void;
  state(s: ConnState): void;
  refused(): void; // the upgrade failed: the caller checks whether the session still holds
}

const maxDelayMs = 30_000;

export class PhoneSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: number | undefined;
  private stopped = true;
  state: ConnState = 'offline';

  constructor(private token: string, private on: SocketEvents) {
    window.addEventListener('online', () => this.reconnectNow());
    window.addEventListener('offline', () => this.ws?.close());
  }

  start(): void {
    this.stopped = false;
    this.reconnectNow();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ws?.close(1000);
  }

  // send writes a frame if connected; false means it was not sent.
  send(f: Frame): boolean {
    if (this.state !== 'online' || !this.ws) return false;
    this.ws.send(JSON.stringify(f));
    return true;
  }

  // drop closes a connection that looks dead (no answer to a report), to reconnect.
  drop(): void {
    this.ws?.close(4000, 'no answer');
  }

  reconnectNow(): void {
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
    ws.onopen = () => {
      opened = true;
    };
    ws.onmessage = (e) => {
      let f: Frame;
      try {
        f = JSON.parse(String(e.data)) as Frame;
      } catch {
        return;
      }
      if (f.type === 'hello') {
        this.attempt = 0;
        this.setState('online');
      }
      this.on.frame(f);
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
