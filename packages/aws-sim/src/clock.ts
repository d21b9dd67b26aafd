/**
 * Simulated time. It runs `speed` times faster than the wall clock (speed 60 turns a minute-long rollout
 * into a second) and can be moved forward by hand. Services never read Date.now(): they ask the clock,
 * and register work with `at()`, which the clock runs in time order whenever time is observed.
 * Timers live in a binary min-heap ordered by (time, registration order), so thousands of services
 * with pending work cost O(log n) per timer rather than a scan per observation.
 */
interface Timer {
  at: number;
  seq: number;
  run: (at: number) => void;
}

export class SimClock {
  private readonly startReal = Date.now();
  private readonly startSim: number;
  private offsetMs = 0;
  private readonly heap: Timer[] = [];
  private seq = 0;
  private draining = false;

  constructor(
    private speed = 1,
    start: Date = new Date(),
  ) {
    this.startSim = start.getTime();
  }

  /** The current simulated time, after running every timer that is due. */
  now(): Date {
    this.drain();
    return new Date(this.raw());
  }

  nowMs(): number {
    return this.now().getTime();
  }

  private raw(): number {
    return this.startSim + (Date.now() - this.startReal) * this.speed + this.offsetMs;
  }

  setSpeed(speed: number): void {
    const current = this.raw();
    this.speed = speed;
    this.offsetMs += current - this.raw();
  }

  getSpeed(): number {
    return this.speed;
  }

  /** Jumps simulated time forward, running the timers that fall due on the way, in order. */
  advance(ms: number): Date {
    if (ms < 0) throw new Error('the clock only moves forward');
    const target = this.raw() + ms;
    // Run timers one by one at their own time so work they schedule lands in the right order.
    for (;;) {
      const next = this.heap[0];
      if (!next || next.at > target) break;
      this.offsetMs += Math.max(0, next.at - this.raw());
      this.drain();
    }
    this.offsetMs += Math.max(0, target - this.raw());
    return this.now();
  }

  /** Schedules `run` at simulated time `atMs` (or now, if that has passed); it receives its due time. */
  at(atMs: number, run: (at: number) => void): void {
    this.push({ at: atMs, seq: this.seq++, run });
  }

  after(ms: number, run: (at: number) => void): void {
    this.at(this.raw() + ms, run);
  }

  pendingTimers(): number {
    return this.heap.length;
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (;;) {
        const top = this.heap[0];
        if (!top || top.at > this.raw()) break;
        this.pop();
        top.run(top.at);
      }
    } finally {
      this.draining = false;
    }
  }

  private less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(timer: Timer): void {
    const h = this.heap;
    h.push(timer);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
