import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TracingConfigError, tracingSettingsFromEnv } from './tracing.js';

const VARS = [
  'OTEL_SDK_DISABLED',
  'OTEL_TRACES_EXPORTER',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
  'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT',
] as const;

/** Values near the accepted ones (cases, spaces, typos) as well as arbitrary text. */
const value = fc.oneof(
  fc.constantFrom('', ' ', 'true', 'TRUE', 'false', 'none', 'otlp', 'console', 'http/protobuf', 'http/json', 'grpc', 'always_on', 'traceidratio', 'parentbased_traceidratio', '0.25', '2', '-1', 'NaN', 'http://127.0.0.1:4318', 'https://collector/v1/traces', 'localhost:4318', 'ftp://x'),
  fc.string({ maxLength: 30 }),
);

describe('tracingSettingsFromEnv', () => {
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
  it('off unless an OTLP endpoint is set; OTEL_SDK_DISABLED and OTEL_TRACES_EXPORTER=none turn it off', () => {
    expect(tracingSettingsFromEnv({})).toBeUndefined();
    expect(tracingSettingsFromEnv({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' })).toBeUndefined();
    expect(tracingSettingsFromEnv(endpoint)).toEqual({ protocol: 'http/protobuf', captureContent: false });
    expect(tracingSettingsFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector:4318/v1/traces' })).toBeDefined();
    expect(tracingSettingsFromEnv({ ...endpoint, OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(tracingSettingsFromEnv({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
    expect(tracingSettingsFromEnv({ ...endpoint, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toMatchObject({ protocol: 'http/json' });
  });

  it('a value semroute cannot honour fails at startup, naming the variable and what is accepted', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, /OTEL_EXPORTER_OTLP_PROTOCOL="grpc".*http\/protobuf/],
      [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' }, /OTEL_EXPORTER_OTLP_ENDPOINT="localhost:4318".*http:\/\//],
      [{ OTEL_TRACES_EXPORTER: 'console' }, /OTEL_TRACES_EXPORTER="console".*otlp or none/],
      [{ OTEL_TRACES_SAMPLER: 'sometimes' }, /OTEL_TRACES_SAMPLER="sometimes".*parentbased_always_on/],
      [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' }, /OTEL_TRACES_SAMPLER_ARG="1.5".*from 0 to 1/],
      [{ OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'yes' }, /CAPTURE_MESSAGE_CONTENT="yes".*true or false/],
    ];
    for (const [env, message] of cases) {
      expect(() => tracingSettingsFromEnv({ ...endpoint, ...env })).toThrow(TracingConfigError);
      expect(() => tracingSettingsFromEnv({ ...endpoint, ...env })).toThrow(message);
    }
  });


  it('any environment: off, a valid setting, or a TracingConfigError naming one of the variables, never another failure', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...VARS), value, { maxKeys: VARS.length }), (env) => {
        let settings;
        try {
          settings = tracingSettingsFromEnv(env);
        } catch (e) {
          expect(e).toBeInstanceOf(TracingConfigError);
          expect(VARS.some((v) => (e as Error).message.startsWith(`${v}=`))).toBe(true);
          return;
        }
        if (settings === undefined) return;
        expect(['http/protobuf', 'http/json']).toContain(settings.protocol);
        expect(typeof settings.captureContent).toBe('boolean');
        // On only with an endpoint, and never when disabled.
        expect(Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim())).toBe(true);
        expect(env.OTEL_SDK_DISABLED?.trim().toLowerCase()).not.toBe('true');
      }),
      { numRuns: 1000 },
    );
  });
});
