/**
 * CPU cost of tracing one request in-process: the spans of a routed, non-streamed chat request (server, parse, route
 * with its stages, decide, upstream) built with the real SDK and exported over OTLP/HTTP protobuf to a loopback sink,
 * without the HTTP serving around them (that is what `TRACES=1 pnpm bench` adds back).
 *
 *   node --conditions=source --import tsx bench/trace-cost.ts     # N=10000 requests
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_CONFIG_YAML, Router, parseConfig } from '@semroute/core';
import { routeChat } from '@semroute/core/http';
import { startTracing } from '../src/telemetry/tracing.js';

const N = Number(process.env.N ?? 10_000);
let bytes = 0;
let exports = 0;
const sink = createServer((req, res) => {
  req.on('data', (c: Buffer) => (bytes += c.length));
  req.on('end', () => {
    exports++;
    res.end();
  });
});
await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
const tracing = (await startTracing())!;

const parsed = parseConfig(DEFAULT_CONFIG_YAML);
if (!parsed.ok) throw new Error('the bundled config does not parse');
const router = new Router({ config: parsed.config });
const request = { model: 'auto', messages: [{ role: 'user', content: 'Explain how a hash map handles collisions, briefly.' }] };
const view = await routeChat(router, request, {}, 'none', router.config);
const target = { name: 'mock', url: 'http://127.0.0.1:9/v1/chat/completions' };
const answer = Buffer.from(JSON.stringify({ id: 'x', model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1 } }));
const headers = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' };

function traceOne(): void {
  const t = tracing.startRequest({ method: 'POST', path: '/v1/chat/completions', route: '/v1/chat/completions', headers, startTime: performance.now() });
  t.stage('semroute.parse_body', performance.now(), performance.now(), { 'http.request.body.size': 100 });
  t.routed(view, request, router.backend, performance.now(), performance.now());
  const up = t.upstream(view.primary!, target);
  up.responded(200);
  up.body(answer);
  up.end('ok');
  t.end(200);
}

// Paced in small groups so that the batch processor exports as it would under load (its queue holds 2048 spans).
const pace = () => new Promise((resolve) => setTimeout(resolve, 1));
for (let i = 0; i < 200; i++) traceOne();
await tracing.forceFlush();
const cpu0 = process.cpuUsage();
for (let i = 0; i < N; i++) {
  traceOne();
  if (i % 20 === 19) await pace();
}
await tracing.forceFlush();
const cpu = process.cpuUsage(cpu0);
const spansPerRequest = 8;
console.log(
  `${N} traced requests (${spansPerRequest} spans each, keyword routing): ${((cpu.user + cpu.system) / N).toFixed(1)} µs CPU per request including export; ` +
    `${exports} OTLP exports, ${(bytes / N).toFixed(0)} bytes per request; node ${process.version}`,
);
await tracing.shutdown();
sink.close();
