/**
 * Linear-time evidence for tests (the project's rule: anything that claims linear time is tested by comparing sizes,
 * never against a wall-clock ceiling). A stage runs at one size and at four times that size and the cost may grow at
 * most {@link MAX_GROWTH}× (linear: 4×, quadratic: 16×).
 *
 * - {@link expectLinearSteps}: for code that counts its own operations (the keyword Pike VM), the counts at n and 4n.
 *   Deterministic: the same on an idle laptop and on a loaded CI machine.
 * - {@link expectLinear}: for code that cannot count its work (V8's regular expressions), the process's CPU time at n
 *   and 4n. CPU time, not wall-clock time: on a shared machine a process waiting for a core accumulates wall-clock time
 *   but no CPU time, so other jobs barely move the ratio. A case is measured up to five times and passes when one
 *   measurement shows linear growth (a quadratic stage grows 16× every time). Speed itself is measured by the benchmarks
 *   (bench/linear.bench.ts), not here.
 */
import { expect } from 'vitest';

/** The most a stage's cost may grow from n to 4n (linear: 4×, quadratic: 16×). */
export const MAX_GROWTH = 6;

/**
 * `unit` repeated to about `n` UTF-16 code units: whole units only, so the text at 4 × n ends like the text at n
 * (a cut unit changes what some rules see at the end). Flattened, so no stage pays for V8's string ropes.
 */
export function fill(unit: string, n: number): string {
  const s = unit.repeat(Math.max(1, Math.floor(n / unit.length)));
  /$/.test(s); // flattens the rope
  return s;
}

/**
 * CPU time (user + system, all threads of this process: V8's garbage collector counts as work) of one call, in ms.
 * Vitest runs each test file in its own process (`pool: 'forks'`), so no other test file's work is counted.
 */
function cpuTimeOnce(run: () => unknown): number {
  const before = process.cpuUsage();
  run();
  const { user, system } = process.cpuUsage(before);
  return (user + system) / 1000;
}

/**
 * CPU time at 4 × size over CPU time at size, for the stage `prepare(size)` returns (preparation is not measured).
 * Best of five measurements; the small size counts as at least 0.5 ms so timer granularity cannot inflate the ratio.
 */
export function growth(prepare: (size: number) => () => unknown, size: number): number {
  const small = prepare(size);
  const large = prepare(4 * size);
  let best = Infinity;
  for (let attempt = 0; attempt < 5 && best > MAX_GROWTH; attempt++) {
    small(); // warm up (JIT) at the small size
    const a = cpuTimeOnce(small);
    const b = cpuTimeOnce(large);
    best = Math.min(best, b / Math.max(a, 0.5));
  }
  return best;
}

/** Requires the CPU time of `prepare(size)`'s stage to grow at most {@link MAX_GROWTH}× from size (default 1 MiB) to 4 × size. */
export function expectLinear(prepare: (size: number) => () => unknown, size = 1 << 20): void {
  expect(growth(prepare, size)).toBeLessThanOrEqual(MAX_GROWTH);
}

/**
 * Requires an operation count to grow at most `maxGrowth`× from size to 4 × size. `steps(n)` runs the stage on an
 * input of size n and returns the operations it counted; counts are exact, so the bound can be tight (default 4.5:
 * linear work plus a constant start-up gives just under 4×).
 */
export function expectLinearSteps(steps: (size: number) => number, size: number, maxGrowth = 4.5): void {
  const small = steps(size);
  const large = steps(4 * size);
  expect(small).toBeGreaterThan(0);
  expect(large / small, `${small} steps at ${size}, ${large} at ${4 * size}`).toBeLessThanOrEqual(maxGrowth);
}
