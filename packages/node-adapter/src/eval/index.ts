/**
 * `semroute eval` / `semroute tune`, and the simulated model the mock backend can mount.
 * @module
 */
export { runEvalCommand, runTuneCommand, EVAL_USAGE, TUNE_USAGE } from './commands.js';
export type { CommandIO } from './commands.js';
export { createSimulatedModelHandler, startSimulatedModel, simulateAnswer, readReasoningState } from './simulated-model.js';
export type { SimulatedModelHandler, SimulatedModelOptions, SimulatedModelServer } from './simulated-model.js';
export { loadProfile, validateProfile, DEFAULT_PROFILE, PROFILES_DIR } from './profile.js';
export type { SimProfile } from './profile.js';
export { runEval } from './run.js';
export { summarize } from './summary.js';
export type { Summary } from './summary.js';
export { tunePolicy } from './tune.js';
export type { TuneResult, TuneOptions } from './tune.js';
