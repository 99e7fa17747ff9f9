// The optional sound for a case that arrives live: off unless the user turns it on, the choice
// kept in localStorage, and a short two-note tone made with WebAudio (no audio file is fetched).
// Browsers only let a page make sound after a gesture, so the context is made (or resumed) when
// the switch is turned on, and again on the first tap or key after a reload.
const key = 'griddispatch.console.sound';

export class Chime {
  private ctx: AudioContext | null = null;
  private on: boolean;

  constructor() {
    this.on = localStorage.getItem(key) === 'on';
    if (this.on) {
      const wake = () => this.wake();
      document.addEventListener('pointerdown', wake, { once: true });
      document.addEventListener('keydown', wake, { once: true });
    }
  }

  get enabled(): boolean {
    return this.on;
  }

  // set turns the sound on or off; turned on (a click), it plays once so the user hears it.
  set(on: boolean): void {
    this.on = on;
    localStorage.setItem(key, on ? 'on' : 'off');
    if (on) this.play();
  }

  // play sounds the tone, if the sound is on.
  play(): void {
    if (!this.on) return;
    const ctx = this.wake();
    if (!ctx) return;
    const t0 = ctx.currentTime + 0.01;
    const gain = ctx.createGain();
    gain.gain.setValueAtTime(0.0001, t0);
    gain.gain.exponentialRampToValueAtTime(0.25, t0 + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t0 + 0.35);
    gain.connect(ctx.destination);
    [880, 1320].forEach((hz, i) => {
      const osc = ctx.createOscillator();
      osc.type = 'sine';
      osc.frequency.setValueAtTime(hz, t0 + i * 0.12);
      osc.connect(gain);
      osc.start(t0 + i * 0.12);
      osc.stop(t0 + 0.35);
    });
  }

  private wake(): AudioContext | null {
    try {
      this.ctx ??= new AudioContext();
      if (this.ctx.state === 'suspended') void this.ctx.resume();
    } catch {
      this.ctx = null; // no WebAudio: the highlight and the title still announce the case
    }
    return this.ctx;
  }
}
