// The inputs a USE-lite tower sees, as the runtime's custom-head path builds them, shared by embed.mjs (sentence vectors
// for fitting the tower) and ../teacher_probs.mjs (the tower's probabilities as soft labels): tokenizer.json through
// @huggingface/tokenizers, no special tokens; over 128 tokens the first 96 and the last 32 (the runtime's summary
// window); an empty text one pad token. Rows run in batches of 64 sorted by length, so little padding is computed.
import fs from 'node:fs';
import { createRequire } from 'node:module';

const fromRepo = (pkg) => createRequire(new URL(`../../../packages/${pkg}/package.json`, import.meta.url));
export const ort = fromRepo('node-adapter')('onnxruntime-node');
const { Tokenizer } = fromRepo('core')('@huggingface/tokenizers');

function tokenizeRows(tokenizerFile, jsonlFile) {
  const tok = new Tokenizer(JSON.parse(fs.readFileSync(tokenizerFile, 'utf8')), {});
  const texts = fs.readFileSync(jsonlFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l).text);
  return texts.map((t) => tok.encode(t, { add_special_tokens: false }).ids);
}

/** Token ids of every text of a JSONL file's `text` fields, cut to the summary window. */
export function towerIds(tokenizerFile, jsonlFile) {
  return tokenizeRows(tokenizerFile, jsonlFile).map((x) => {
    const cut = x.length > 128 ? [...x.slice(0, 96), ...x.slice(x.length - 32)] : x;
    return cut.length ? cut : [0];
  });
}

/** Every 128-token window (stride 96, the runtime's window grid for semroute-mini) of each text, for measuring a tower
 * that would read the whole prompt instead of its summary window: `ids` the windows, `rowOf` the text each came from. */
export function towerWindowIds(tokenizerFile, jsonlFile) {
  const ids = [];
  const rowOf = [];
  tokenizeRows(tokenizerFile, jsonlFile).forEach((x, row) => {
    for (let start = 0; ; start += 96) {
      const w = x.slice(start, start + 128);
      ids.push(w.length ? w : [0]);
      rowOf.push(row);
      if (start + 128 >= x.length) break;
    }
  });
  return { ids, rowOf };
}

/** Runs `session` over `ids` in right-padded batches; `take(outputs, rowIndex, batchRow)` reads each row's result. */
export async function runTowerBatches(session, ids, take) {
  const order = ids.map((_, i) => i).sort((a, b) => ids[a].length - ids[b].length);
  for (let b = 0; b < order.length; b += 64) {
    const idx = order.slice(b, b + 64);
    const T = Math.max(...idx.map((i) => ids[i].length));
    const I = new BigInt64Array(idx.length * T);
    const M = new BigInt64Array(idx.length * T);
    idx.forEach((i, r) => ids[i].forEach((v, k) => { I[r * T + k] = BigInt(v); M[r * T + k] = 1n; }));
    const o = await session.run({ input_ids: new ort.Tensor('int64', I, [idx.length, T]), attention_mask: new ort.Tensor('int64', M, [idx.length, T]) });
    idx.forEach((i, r) => take(o, i, r));
  }
}
