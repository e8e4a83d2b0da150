/**
 * The one test for "a JSON object" wherever untrusted JSON or YAML is read: configs, request and response bodies,
 * cached answers. (`runtime/artifacts.ts` still defines its own copy of the same one-liner for the model loaders.)
 * @module
 */

/** A JSON object whose fields are not checked yet. */
export type JsonObject = Record<string, unknown>;

/** True for an object that is neither null nor an array: what JSON calls an object. */
export const isObj = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
