/**
 * Module web worker entry: exposes the classifier to the main thread over comlink. It only translates
 * messages to calls on the classifier built by web.ts.
 *
 * ORT-web's multi-threaded build may start its pthread workers from this same script (bundlers inline ORT
 * here); those are named `em-pthread*` and must not expose the classifier API.
 * @module
 */
import { expose } from 'comlink';
import { createWorkerApi } from './worker-api.js';
import { createWebClassifier } from './web.js';

const workerName = (globalThis as { name?: string }).name ?? '';
if (!workerName.startsWith('em-pthread')) expose(createWorkerApi(createWebClassifier));
