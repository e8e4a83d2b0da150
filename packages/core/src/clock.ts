/**
 * The one clock of the core: `performance.now()` where the runtime has it (browsers, workers, Node, edge), else
 * `Date.now()`; and milliseconds rounded to microseconds for reported timings.
 * @module
 */
export const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** Milliseconds rounded to 3 decimals (µs), as reported in timings. */
export const roundMs = (x: number): number => Math.round(x * 1000) / 1000;
