/**
 * Page script of the parity harness: exposes @semroute/core/browser on `window.semroute` so the spec can
 * drive it with page.evaluate. Prompts are fetched by the page itself (lone surrogates in the garbage
 * cases would not survive the DevTools protocol).
 */
import * as browser from '@semroute/core/browser';
import { parityRecord } from './shared.js';

(globalThis as unknown as { semroute: typeof browser & { parityRecord: typeof parityRecord } }).semroute = { ...browser, parityRecord };
(globalThis as unknown as { semrouteReady: boolean }).semrouteReady = true;
