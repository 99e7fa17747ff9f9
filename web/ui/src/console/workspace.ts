// One centre's desk: the queue and the case page (routed by the hash, #/case/ID), kept live by
// the websocket, with the keyboard shortcuts.
import { api, ApiError, type Session } from '../lib/api';
import { h } from '../lib/dom';
import { t } from '../lib/i18n';
import { CallbackQueue } from './callback_queue';
import { CaseView } from './case_page';
import { DeclineNotice } from './decline_notice';
import { bindKeys } from './keys';
import { PendingExtensions } from './pending_extensions';
import { QueueView } from './queue';
import { ConsoleSocket, type ConnState } from './socket';
import type { Centre } from './types';

export interface WorkspaceEvents {
  expired(): void; // the session is gone: sign in again
  centre(c: Centre): void; // the centre's name and level, once known
  conn(s: ConnState): void;
  arrivals(n: number): void; // cases arrived live, not yet looked at: for the tab's title
}

export interface WorkspaceOptions {
  supervisor?: boolean; // the member supervises somewhere: the 延期申请 list is offered
}

export class Workspace {
  readonly el = h('main', { class: 'workspace' });
  private queue: QueueView;
  private callbacks: CallbackQueue; // 回访
  private declines: DeclineNotice; // 待裁定退单
  private extensions: PendingExtensions | null; // 延期申请, for supervisors
  private caseView: CaseView;
  private socket: ConsoleSocket;
  private own = new Set<number>(); // transitions this desk made: their frames need no reload
  private notice = h('p', { class: 'error', role: 'alert' });
  private panels: HTMLElement; // 待裁定退单 and 延期申请, above the queue
  private unbindKeys: () => void = () => {};
  private pendingAction = ''; // a shortcut's action, for the case being opened
  private readonly onHash = () => this.route();

  constructor(private session: Session, readonly centre: string, private on: WorkspaceEvents, opts: WorkspaceOptions = {}) {
    this.queue = new QueueView(session, centre, {
      open: (id) => this.go(id),
      loaded: (c) => on.centre(c),
      failed: (e) => this.failed(e),
      arrivals: (n) => {
        on.arrivals(n);
        this.declines?.render(); // its new declines are highlighted as arrivals
      },
    });
    this.declines = new DeclineNotice(session, centre, (id, action) => this.go(id, action),
      (id) => this.queue.arrivals.has(id), (e) => this.failed(e));
    this.extensions = opts.supervisor ? new PendingExtensions(session, centre, (id) => this.go(id), (e) => this.failed(e)) : null;
    this.callbacks = new CallbackQueue(session, centre, (id) => this.go(id), (e) => this.failed(e));
    this.caseView = new CaseView(session, () => this.go(null), (res) => {
      this.own.add(res.transition_id);
      this.queue.model.after(res.transition_id, res.case);
      this.queue.render();
    });
    this.socket = new ConsoleSocket(session.token, centre, {
      state: (s) => on.conn(s),
      subscribed: () => {
        this.notice.textContent = '';
        void this.queue.load(); // frames sent while disconnected are not replayed
        void this.callbacks.load();
        void this.declines.load();
        void this.extensions?.load();
      },
      frame: (f) => {
        this.queue.onFrame(f);
        this.declines.frame(f);
        this.extensions?.frame(f);
        this.callbacks.changed();
        if (this.caseView.id === f.case_id && !this.own.has(f.transition_id)) this.caseView.changed();
      },
      failed: (_code, message) => {
        this.notice.textContent = message || t('err_forbidden');
      },
      refused: () => void this.checkSession(),
    });
    this.panels = h('div', { class: 'panels' }, this.declines.el, this.extensions?.el ?? null);
    this.el.append(this.notice, this.panels, this.queue.el, this.callbacks.el, this.caseView.el);
  }

  start(): void {
    this.queue.start();
    void this.queue.load();
    this.socket.start();
    window.addEventListener('hashchange', this.onHash);
    this.unbindKeys = bindKeys({
      move: (d) => {
        if (this.caseView.id === null) this.queue.move(d);
      },
      openSelected: () => {
        if (this.caseView.id === null && this.queue.selected !== null) this.go(this.queue.selected);
      },
      action: (a) => {
        if (this.caseView.id !== null) this.caseView.trigger(a);
        else if (this.queue.selected !== null) this.go(this.queue.selected, a);
      },
      back: () => this.go(null),
      focusSearch: () => {
        if (this.caseView.id !== null) this.go(null);
        this.queue.search.focus();
      },
    });
    this.route();
  }

  stop(): void {
    this.socket.stop();
    this.queue.stop();
    this.callbacks.stop();
    this.declines.stop();
    this.extensions?.stop();
    this.caseView.close();
    this.unbindKeys();
    window.removeEventListener('hashchange', this.onHash);
  }

  // go shows a case (or the queue, for null) by changing the hash, so Back works.
  private go(id: number | null, action = ''): void {
    this.pendingAction = action;
    const hash = id === null ? '#/' : '#/case/' + id;
    if (location.hash === hash) this.route();
    else location.hash = hash;
  }

  private route(): void {
    const m = /^#\/case\/(\d+)$/.exec(location.hash);
    const action = this.pendingAction;
    this.pendingAction = '';
    if (m) {
      const id = Number(m[1]);
      this.queue.selected = id;
      this.queue.seen(id);
      this.queue.el.hidden = true;
      this.callbacks.el.hidden = true;
      this.panels.hidden = true;
      this.caseView.el.hidden = false;
      if (this.caseView.id !== id) this.caseView.open(id, action);
      else if (action) this.caseView.trigger(action);
      window.scrollTo(0, 0);
    } else {
      this.caseView.close();
      this.caseView.el.hidden = true;
      this.queue.el.hidden = false;
      this.callbacks.el.hidden = false;
      this.panels.hidden = false;
      this.queue.render();
      void this.callbacks.load();
      void this.declines.load();
      void this.extensions?.load();
    }
  }

  private failed(e: ApiError): void {
    if (e.status === 401) this.on.expired();
  }

  private async checkSession(): Promise<void> {
    try {
      await api('GET', '/api/me', this.session.token);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) this.on.expired();
    }
  }
}
