/**
 * `@semroute/model-plus`: where each file of the semroute-plus server model is, as a URL.
 * @module @semroute/model-plus
 */

/** A model file name the semroute runtimes load, relative to the model folder. */
export type ModelFileName =
  | 'config.json'
  | 'heads.json'
  | 'tokenizer.json'
  | 'tokenizer_config.json'
  | 'onnx/model_quantized.onnx'
  | 'ner/ner.bin'
  | 'towers/use-lite/config.json'
  | 'towers/use-lite/tokenizer.json'
  | 'towers/use-lite/tokenizer_config.json'
  | 'towers/use-lite/onnx/model.onnx';

/**
 * The files of the model, by the names the runtimes ask for. Pass it as `model` to `createRouter` of
 * `@semroute/core/edge` (or as `modelFiles` in the browser); bundlers turn each URL into an emitted asset.
 */
export declare const modelFiles: Readonly<Record<ModelFileName, URL>>;

export default modelFiles;
