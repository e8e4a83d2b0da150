import { describe, expect, it } from 'vitest';
import { ClassifierError, ConfigError, NoRouteError, RequestError, SemrouteError } from './errors.js';

describe('errors', () => {
  it('carry codes, causes and brand-based guards', () => {
    const cause = new Error('x');
    const errors = [new ConfigError([{ path: 'a.b', message: 'bad' }]), new ClassifierError('c', { cause }), new NoRouteError('n'), new RequestError('messages', 'm')];
    for (const e of errors) {
      expect(SemrouteError.isError(e)).toBe(true);
      expect(e).toBeInstanceOf(Error);
    }
    expect(ConfigError.isError(errors[0])).toBe(true);
    expect(ConfigError.isError(errors[1])).toBe(false);
    expect(errors[0]!.message).toBe('invalid semroute config: a.b: bad');
    expect(errors[1]!.cause).toBe(cause);
    expect(errors[3]!.message).toBe('messages: m');
    expect(errors.map((e) => e.code)).toEqual(['CONFIG_INVALID', 'CLASSIFIER_FAILED', 'NO_ROUTE', 'REQUEST_INVALID']);
    expect(SemrouteError.isError(new Error('plain'))).toBe(false);
    expect(SemrouteError.isError(null)).toBe(false);
  });
});
