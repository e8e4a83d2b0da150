/**
 * `@semroute/model-mini`: where each file of the semroute-mini model is, as a URL.
 *
 * Each URL is written `new URL('./file', import.meta.url)` with a literal path on purpose: Vite, webpack 5 and
 * Parcel turn that pattern into an emitted asset with its final URL, so a browser app needs no copying into
 * `public/`; in Node, Deno and Bun the URLs are `file:` URLs of the installed package.
 * @module
 */

/** The files of the int8 model, by the names the runtimes ask for. */
export const modelFiles = Object.freeze({
  'config.json': new URL('./config.json', import.meta.url),
  'heads.json': new URL('./heads.json', import.meta.url),
  'tokenizer.json': new URL('./tokenizer.json', import.meta.url),
  'tokenizer_config.json': new URL('./tokenizer_config.json', import.meta.url),
  'onnx/model_quantized.onnx': new URL('./onnx/model_quantized.onnx', import.meta.url),
  'ner/ner.bin': new URL('./ner/ner.bin', import.meta.url),
});

export default modelFiles;
