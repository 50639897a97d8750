/**
 * The Cost Management query budget of one tenant, kept on our side so gpuops waits instead of
 * being throttled: 12 QPU per 10 s and 60 QPU per minute (about one QPU per month of data
 * queried; platform-facts D2 / Z4). A 429's retry-after header pauses every query of the tenant,
 * not just the one that got it. Clock and sleep are injected for tests.
 *
 * @example
 * const budget = createQpuBudget();
 * await budget.acquire(2); // waits while 2 QPU would exceed either window
 */

export interface QpuBudgetOptions {
  perShortWindow?: number;
  shortWindowMs?: number;
  perLongWindow?: number;
  longWindowMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface QpuBudget {
  /** Waits until `qpu` fits both windows, then charges it. */
  acquire(qpu: number): Promise<void>;
  /** Corrects the last charge to what the service said it cost (`…-qpu-consumed`). */
  reconcile(charged: number, consumed: number): void;
  /** Holds every query until `ms` from now (a 429's retry-after). */
  pause(ms: number): void;
  /** QPU charged in the current short and long windows. */
  used(): { short: number; long: number };
}

export function createQpuBudget(opts: QpuBudgetOptions = {}): QpuBudget {
  // The windows run a little longer than the service's, so our edge never comes before its edge.
  const short = opts.perShortWindow ?? 12;
  const shortMs = opts.shortWindowMs ?? 10_500;
  const long = opts.perLongWindow ?? 60;
  const longMs = opts.longWindowMs ?? 61_000;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const spent: Array<{ at: number; qpu: number }> = [];
  let pausedUntil = 0;
  // Waiters are served in order, so a big query is not starved by a stream of small ones.
  let queue: Promise<void> = Promise.resolve();

  const sums = (t: number) => {
    while (spent.length > 0 && (spent[0] as { at: number }).at <= t - longMs) spent.shift();
    let s = 0;
    let l = 0;
    for (const e of spent) {
      l += e.qpu;
      if (e.at > t - shortMs) s += e.qpu;
    }
    return { s, l };
  };

  /** How long until `qpu` more fits, 0 when it fits now. */
  const waitFor = (qpu: number, t: number): number => {
    if (pausedUntil > t) return pausedUntil - t;
    const { s, l } = sums(t);
    // A query bigger than a window can never fit: let it through alone once the window is empty.
    const needShort = Math.min(qpu, short);
    const needLong = Math.min(qpu, long);
    let wait = 0;
    if (s + needShort > short) {
      let freed = s;
      for (const e of spent) {
        if (e.at <= t - shortMs) continue;
        freed -= e.qpu;
        if (freed + needShort <= short) {
          wait = Math.max(wait, e.at + shortMs - t);
          break;
        }
      }
    }
    if (l + needLong > long) {
      let freed = l;
      for (const e of spent) {
        freed -= e.qpu;
        if (freed + needLong <= long) {
          wait = Math.max(wait, e.at + longMs - t);
          break;
        }
      }
    }
    return wait;
  };

  return {
    acquire(qpu) {
      const turn = queue.then(async () => {
        for (let w = waitFor(qpu, now()); w > 0; w = waitFor(qpu, now())) await sleep(w);
        spent.push({ at: now(), qpu });
      });
      queue = turn.catch(() => undefined);
      return turn;
    },
    reconcile(charged, consumed) {
      if (!Number.isFinite(consumed) || consumed < 0) return;
      for (let i = spent.length - 1; i >= 0; i--) {
        const e = spent[i] as { at: number; qpu: number };
        if (e.qpu === charged) {
          e.qpu = consumed;
          return;
        }
      }
    },
    pause(ms) {
      pausedUntil = Math.max(pausedUntil, now() + ms);
    },
    used() {
      const { s, l } = sums(now());
      return { short: s, long: l };
    },
  };
}
