// Live figures: the apps' websocket (lib/socket.ts) subscribed to the unit shown, with its
// `stats` frames (docs/stats-api.md, "Live updates"), and a refresher that turns bursts of
// frames into few reloads.
import { Socket, type ConnState, type Frame } from '../lib/socket';

export type { ConnState };

export interface LiveEvents {
  state(s: ConnState): void;
  subscribed(): void; // live again after a (re)connection: reload what may have been missed
  changed(): void; // figures under the unit shown have changed
  failed(message: string): void; // the subscription was refused
  refused(): void; // the upgrade failed: the caller checks whether the session still holds
}

// Refresher runs a reload ~300 ms after the first poke of a burst, never sooner than a second
// after the last one started, one at a time; pokes while one runs bring one more.
export class Refresher {
  private timer: number | undefined;
  private running = false;
  private again = false;
  private last = 0;

  constructor(private run: () => Promise<void>, private delayMs = 300, private gapMs = 1000) {}

  poke(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer !== undefined) return;
    const wait = Math.max(this.delayMs, this.last + this.gapMs - Date.now());
    this.timer = window.setTimeout(() => void this.fire(), wait);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.again = false;
  }

  private async fire(): Promise<void> {
    this.timer = undefined;
    this.running = true;
    this.last = Date.now();
    try {
      await this.run();
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.poke();
      }
    }
  }
}

export class LiveSocket {
  private socket: Socket;
  private n = 0;
  private subID = '';
  private asked = ''; // the subtree of the subscription asked for
  private held = ''; // the subtree the server holds for us
  private waiting = false; // for the answer to a subscription
  private connected = false; // a hello since the last subscription was answered

  constructor(token: string, private unit: string, private on: LiveEvents) {
    this.socket = new Socket(token, {
      state: (s) => {
        if (s === 'offline' || s === 'connecting') {
          this.held = '';
          this.waiting = false;
        }
        on.state(s);
      },
      refused: () => on.refused(),
      hello: () => {
        this.connected = true;
        this.subscribe();
      },
      frame: (f) => this.frame(f),
    });
  }

  start(): void {
    this.socket.start();
  }

  stop(): void {
    this.socket.stop();
  }

  // watch moves the subscription to another unit (a drill-down or back up).
  watch(unit: string): void {
    if (unit === this.unit) return;
    this.unit = unit;
    if (!this.waiting) this.move();
    // else the answer to the subscription on its way moves it; unconnected, the next hello does
  }

  private move(): void {
    // the server names a subscription by all it asked for, stats included
    if (this.held) this.socket.send({ type: 'unsubscribe', id: 'u' + ++this.n, subtree: this.held, stats: true }, true);
    this.held = '';
    this.subscribe();
  }

  // subscribe asks as soon as connected: the connection is online once the server answers.
  private subscribe(): void {
    this.subID = 's' + ++this.n;
    this.asked = this.unit;
    this.waiting = this.socket.send({ type: 'subscribe', id: this.subID, subtree: this.unit, stats: true }, true);
  }

  private frame(f: Frame): void {
    if (f.type === 'subscribed' && f.id === this.subID) {
      this.waiting = false;
      this.held = this.asked;
      this.socket.ready();
      if (this.held !== this.unit) this.move();
      else if (this.connected) {
        // a drill-down's new subscription needs no reload: the drill-down loads
        this.connected = false;
        this.on.subscribed();
      }
    } else if (f.type === 'error' && f.id === this.subID) {
      this.waiting = false;
      if (this.asked !== this.unit) this.move();
      else this.on.failed(String(f.message ?? f.code ?? ''));
    } else if (f.type === 'stats') {
      const units = Array.isArray(f.units) ? (f.units as unknown[]).map(String) : [];
      if (units.length === 0 || units.some((u) => u.startsWith(this.unit) || this.unit.startsWith(u))) this.on.changed();
    } else if (f.type === 'case') {
      if (typeof f.unit !== 'string' || f.unit.startsWith(this.unit)) this.on.changed();
    }
  }
}
