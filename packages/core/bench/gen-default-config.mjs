// Regenerates src/config/default-config.ts from config/default.yaml (browsers and edge runtimes have no fs).
// Usage: node bench/gen-default-config.mjs   (src/config/default-config.test.ts fails when they drift)
import { readFileSync, writeFileSync } from 'node:fs';
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
