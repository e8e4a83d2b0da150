/**
 * The frozen table of selection strategies. Unknown algorithm types (vSR's knn, mlp, …) are accepted by config
 * validation with a warning and use `static`.
 * @module
 */
import type { Selector } from './selector.js';
import { staticSelector } from './static.js';

/** Model selection algorithms by name (a decision's `algorithm`); `static` takes the first model reference. */
export const SELECTORS: Readonly<Record<string, Selector>> = Object.freeze({ static: staticSelector });

/** The selector for an algorithm type (default and fallback: `static`). */
export function getSelector(type: string | undefined): Selector {
  return (type !== undefined ? SELECTORS[type] : undefined) ?? staticSelector;
}
