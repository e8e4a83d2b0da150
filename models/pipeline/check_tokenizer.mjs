// Compare transformers.js tokenization of reference/tokenizer_fuzz.json with the Python reference ids.
// Usage: node check_tokenizer.mjs <model dir>
import fs from 'node:fs';
import path from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';
const dir = path.resolve(process.argv[2]);
env.allowRemoteModels = false; env.localModelPath = path.dirname(dir);
const tok = await AutoTokenizer.from_pretrained(path.basename(dir));
const { cases } = JSON.parse(fs.readFileSync(path.join(dir, 'reference', 'tokenizer_fuzz.json'), 'utf8'));
let bad = 0;
for (const c of cases) {
  const ids = Array.from(tok.encode(c.text));
  if (JSON.stringify(ids) !== JSON.stringify(c.ids)) { bad++; if (bad <= 5) console.log('MISMATCH', JSON.stringify(c.text), ids.slice(0, 20), c.ids.slice(0, 20)); }
}
console.log(`tokenizer fuzz: ${cases.length - bad}/${cases.length} identical`);
process.exit(bad ? 1 : 0);
