import { describe, expect, it } from 'vitest';
import { ClassifierError } from '../errors.js';
import { MODEL_FILES, backendCandidates, backendLabel, defaultDtypeFor, parseBackendChoice, parseDtype } from './backends.js';

describe('backend choice', () => {
  it('orders candidates per runtime and capability', () => {
    expect(backendCandidates('auto', 'node', {})).toEqual(['cpu']);
    expect(backendCandidates('auto', 'node', { cudaInstalled: true })).toEqual(['cuda', 'cpu']);
    expect(backendCandidates('cuda', 'node', {})).toEqual(['cuda', 'cpu']);
    expect(backendCandidates('cpu', 'node', {})).toEqual(['cpu']);
    expect(backendCandidates('auto', 'web', { webgpuApi: true })).toEqual(['webgpu', 'wasm']);
    expect(backendCandidates('auto', 'web', {})).toEqual(['wasm']);
    expect(backendCandidates('webgpu', 'web', {})).toEqual(['webgpu', 'wasm']);
  });

  it('rejects choices with the valid list', () => {
    expect(() => parseBackendChoice('tpu')).toThrow(/Should be one of: auto, webgpu, wasm, cpu, cuda/);
    expect(() => backendCandidates('wasm', 'node')).toThrow(/Should be one of: auto, cuda, cpu/);
    expect(() => backendCandidates('cuda', 'web')).toThrow(ClassifierError);
    expect(() => parseDtype('q4')).toThrow(/auto, fp32, int8/);
  });

  it('labels backends as reported in results', () => {
    expect(backendLabel('wasm', 4)).toBe('wasm-simd-threads(4)');
    expect(backendLabel('wasm', 1)).toBe('wasm-simd');
    expect(backendLabel('cpu')).toBe('cpu');
  });
});

describe('defaultDtypeFor', () => {
  const only = (...files: string[]) => (f: string): boolean => files.includes(f);
  it("keeps the target's default when the folder has it, or when the folder cannot be listed", () => {
    expect(defaultDtypeFor('cuda')).toBe('fp32');
    expect(defaultDtypeFor('cpu', only(MODEL_FILES.int8, MODEL_FILES.fp32))).toBe('int8');
    expect(defaultDtypeFor('webgpu', only(MODEL_FILES.fp32))).toBe('fp32');
  });
  it('takes the variant that is shipped when the default is not (the npm model package is int8 only)', () => {
    expect(defaultDtypeFor('cuda', only(MODEL_FILES.int8))).toBe('int8');
    expect(defaultDtypeFor('webgpu', only(MODEL_FILES.int8))).toBe('int8');
    expect(defaultDtypeFor('cpu', only(MODEL_FILES.fp32))).toBe('fp32');
  });
  it('keeps the default when neither is shipped, so the load error names the file it looked for', () => {
    expect(defaultDtypeFor('cpu', only())).toBe('int8');
  });
});
