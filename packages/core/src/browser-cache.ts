/**
 * `@semroute/core/browser-cache`: the semantic response cache on the device, for a router from
 * `@semroute/core/browser` (or `-webgpu`): `withDeviceCache(router, {userKey, maxEntries, maxBytes, ttlSeconds})`
 * adds `router.cache` (`lookup`, `store`, `clear`, `stats`), persisted in IndexedDB per origin and keyed per user.
 * A separate entry so that apps without it keep the default bundle within its budget (README "Bundle budget").
 * @module @semroute/core/browser-cache
 */
export { withDeviceCache, DEVICE_CACHE_DB } from './runtime/device-cache-browser.js';
export type { BrowserRouter } from './runtime/device-cache-browser.js';
export { DeviceCache, DEVICE_CACHE_DEFAULTS, memoryDeviceCache } from './cache/device-cache.js';
export type { DeviceCacheLimits, DeviceCacheOptions, DeviceLookup } from './cache/device-cache.js';
export { IndexedDbCacheStore } from './cache/indexeddb-store.js';
