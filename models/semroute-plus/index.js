/**
 * `@semroute/model-plus`: where each file of the semroute-plus server model is, as a URL.
 *
 * Each URL is written `new URL('./file', import.meta.url)` with a literal path on purpose: Vite, webpack 5 and
 * Parcel turn that pattern into an emitted asset with its final URL; in Node, Deno and Bun the URLs are `file:` URLs
 * of the installed package. (In Node, `createRouter({ model: '@semroute/model-plus' })` or the config key
 * `global.classifier.model` finds the folder by name.)
 * @module
 */

/** The files of the model, by the names the runtimes ask for (the domain tower's under `towers/use-lite/`). */
export const modelFiles = Object.freeze({
  'config.json': new URL('./config.json', import.meta.url),
  'heads.json': new URL('./heads.json', import.meta.url),
  'tokenizer.json': new URL('./tokenizer.json', import.meta.url),
  'tokenizer_config.json': new URL('./tokenizer_config.json', import.meta.url),
  'onnx/model_quantized.onnx': new URL('./onnx/model_quantized.onnx', import.meta.url),
  'ner/ner.bin': new URL('./ner/ner.bin', import.meta.url),
  'towers/use-lite/config.json': new URL('./towers/use-lite/config.json', import.meta.url),
  'towers/use-lite/tokenizer.json': new URL('./towers/use-lite/tokenizer.json', import.meta.url),
  'towers/use-lite/tokenizer_config.json': new URL('./towers/use-lite/tokenizer_config.json', import.meta.url),
  'towers/use-lite/onnx/model.onnx': new URL('./towers/use-lite/onnx/model.onnx', import.meta.url),
});

export default modelFiles;
