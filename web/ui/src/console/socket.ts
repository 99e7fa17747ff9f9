// The console's websocket (docs/cases-api.md, "Live updates"): the apps' shared connection
// (lib/socket.ts), which here subscribes to one centre at every (re)connection, is online once
// subscribed, and hands on its `case` frames. It says when a subscription is in place so the
// caller reloads the queue: frames sent while disconnected are not replayed.
import { Socket, type ConnState, type Frame } from '../lib/socket';
import type { CaseFrame } from './types';

export type { ConnState };

export interface SocketEvents {
  state(s: ConnState): void;
  subscribed(): void; // live from now on: reload what may have been missed
  frame(f: CaseFrame): void;
  failed(code: string, message: string): void; // the subscription was refused
  refused(): void; // the upgrade failed: the caller checks whether the session still holds
}

export class ConsoleSocket {
  private socket: Socket;
  private subs = 0;
  private subID = '';

  constructor(token: string, private centre: string, private on: SocketEvents) {
    this.socket = new Socket(token, {
      state: (s) => on.state(s),
      refused: () => on.refused(),
      hello: () => {
        this.subID = 's' + ++this.subs;
        this.socket.send({ type: 'subscribe', id: this.subID, centre: this.centre }, true);
      },
      frame: (f) => this.frame(f),
    });
  }

  get state(): ConnState {
    return this.socket.state;
  }

  start(): void {
    this.socket.start();
  }

  stop(): void {
    this.socket.stop();
  }

  private frame(f: Frame): void {
    if (f.type === 'subscribed' && f.id === this.subID) {
      this.socket.ready();
      this.on.subscribed();
    } else if (f.type === 'error' && f.id === this.subID) {
      this.on.failed(String(f.code ?? 'error'), String(f.message ?? ''));
    } else if (f.type === 'case') {
      this.on.frame(f as unknown as CaseFrame);
    }
  }
}
