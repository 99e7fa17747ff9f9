// One websocket to the server (docs/protocol.md), shared by the apps: it connects with the
// session token as a subprotocol, reconnects with exponential back-off and jitter (1 s doubling
// to 30 s), at once when the browser says the network is back, and tells its owner what
// arrives. The connection is 'online' at the server's hello, or, for an owner with a hello
// handler, when that owner says it is ready (the console, once subscribed).
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
  hello?(): void; // the server greeted this connection; the owner calls ready() when it is
}

const maxDelayMs = 30_000;

export class Socket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: number | undefined;
  private stopped = true;
  state: ConnState = 'offline';
  private readonly onOnline = () => this.reconnectNow();
  private readonly onOffline = () => this.ws?.close();

  constructor(private token: string, private on: SocketEvents) {}

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

  // send writes a frame if online (or, with beforeReady, as soon as connected); false means it
  // was not sent.
  send(f: Frame, beforeReady = false): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN || (!beforeReady && this.state !== 'online')) return false;
    this.ws.send(JSON.stringify(f));
    return true;
  }

  // ready marks the connection online (after hello, or the owner's own handshake).
  ready(): void {
    this.attempt = 0;
    this.setState('online');
  }

  // drop closes a connection that looks dead (no answer to a request), to reconnect.
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
        if (this.on.hello) this.on.hello();
        else this.ready();
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
