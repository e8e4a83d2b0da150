// Regenerates src/config/default-config-text.ts (the YAML text) and src/config/default-config-data.ts (the same
// config as parsed data) from config/default.yaml (browsers and edge runtimes have no fs; the data lets
// defaultConfig() skip the YAML parser, which browsers then never load).
// Usage: node bench/gen-default-config.mjs   (src/config/default-config.test.ts fails when they drift)
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
const root = new URL('..', import.meta.url);
const yaml = readFileSync(new URL('config/default.yaml', root), 'utf8');
const ts = `/**
 * The default config's YAML text, for runtimes without a file system. GENERATED from config/default.yaml by
 * bench/gen-default-config.mjs; default-config.test.ts checks that both are identical. The text is wrapped in
 * \`String()\` (marked pure: bundlers still drop it when unused) so that the API reference, which prints a literal
 * initializer, shows its type instead of 9 KB of YAML and stays the same when the default config changes.
 * @module
 */
/**
 * The text of the bundled default config (\`config/default.yaml\`, also shipped as
 * \`@semroute/core/config/default.yaml\`): 14 MMLU-Pro categories between an example fast and an example reasoning model,
 * jailbreak and sensitive-PII blocks. Edit a copy and pass it to {@link parseConfig}; {@link defaultConfig} returns it parsed.
 */
export const DEFAULT_CONFIG_YAML: string = /* @__PURE__ */ String(${JSON.stringify(yaml)});
`;
writeFileSync(new URL('src/config/default-config-text.ts', root), ts);
const data = JSON.stringify(parse(yaml, { uniqueKeys: true }));
const dataTs = `/**
 * The default config as data (what config/default.yaml parses to), so that defaultConfig() validates it without the
 * YAML parser: browsers then load no YAML code unless a config arrives as text (README "Bundle budget"). GENERATED
 * from config/default.yaml by bench/gen-default-config.mjs; default-config.test.ts checks it equals the YAML's parse.
 * @module
 */
/** config/default.yaml, parsed (JSON text, parsed once; not exported from the package). */
export const DEFAULT_CONFIG_DATA: unknown = /* @__PURE__ */ JSON.parse(${JSON.stringify(data)});
`;
writeFileSync(new URL('src/config/default-config-data.ts', root), dataTs);
