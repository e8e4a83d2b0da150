/**
 * `router.cache` for browser routers: the device cache over IndexedDB (memory where IndexedDB is missing or refused).
 * @module
 */
import { DeviceCache, deviceLimits, type DeviceCacheOptions } from '../cache/device-cache.js';
import { IndexedDbCacheStore } from '../cache/indexeddb-store.js';
import { MemoryCacheStore } from '../cache/memory-store.js';
import type { Router } from '../router.js';

/** A router with the on-device response cache. */
export type BrowserRouter = Router & { readonly cache: DeviceCache };

/** IndexedDB database of the device cache (one per origin, as IndexedDB is). */
export const DEVICE_CACHE_DB = 'semroute-response-cache';

/** Adds `router.cache` (IndexedDB when available) to a router and returns it. */
export function withDeviceCache(router: Router, opts: DeviceCacheOptions = {}): BrowserRouter {
  const limits = deviceLimits(opts);
  const backend =
    typeof indexedDB === 'undefined'
      ? new MemoryCacheStore(limits)
      : IndexedDbCacheStore.open(DEVICE_CACHE_DB, limits).catch(() => new MemoryCacheStore(limits)); // private mode, quota: memory
  const cache = new DeviceCache(router, backend, opts.userKey !== undefined ? { userKey: opts.userKey } : {});
  return Object.assign(router, { cache });
}
