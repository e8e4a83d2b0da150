/**
 * `@semroute/model-mini`: where each file of the semroute-mini model is, as a URL.
 * @module @semroute/model-mini
 */

/** A model file name the semroute runtimes load, relative to the model folder. */
export type ModelFileName = 'config.json' | 'heads.json' | 'tokenizer.json' | 'tokenizer_config.json' | 'onnx/model_quantized.onnx' | 'ner/ner.bin';

/**
 * The files of the int8 model, by the names the runtimes ask for. Pass it as `model` to `createRouter` of
 * `@semroute/core/browser` or `@semroute/core/edge`; bundlers turn each URL into an emitted asset.
 */
export declare const modelFiles: Readonly<Record<ModelFileName, URL>>;

export default modelFiles;
