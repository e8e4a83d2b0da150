/**
 * deploy/ stays consistent with the code: the ConfigMap's config validates, the Envoy config parses and points its
 * ext_proc filter at semroute's gRPC port with the processing modes the server implements.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../src/router-host.js';

const deploy = (p: string) => readFileSync(fileURLToPath(new URL(`../../../deploy/${p}`, import.meta.url)), 'utf8');

describe('deploy/', () => {
  it('k8s ConfigMap holds a valid semroute config whose server section matches the Deployment ports', () => {
    const cm = parse(deploy('k8s/configmap.yaml'));
    const r = loadConfigText(cm.data['config.yaml'], 'config.yaml');
    expect(r.ok, r.ok ? '' : JSON.stringify(r.errors)).toBe(true);
    if (!r.ok) return;
    const dep = parse(deploy('k8s/deployment.yaml'));
    const c = dep.spec.template.spec.containers[0];
    expect(c.ports.map((p: { containerPort: number }) => p.containerPort)).toEqual([r.server.port, r.server.grpcPort]);
    expect(c.readinessProbe.httpGet.path).toBe('/ready');
    expect(dep.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(r.server.shutdownGraceMs!);
  });

  it('the image and the manifests listen on every interface explicitly (semroute itself defaults to 127.0.0.1)', () => {
    expect(deploy('Dockerfile')).toMatch(/^\s*SEMROUTE_HOST=0\.0\.0\.0\b/m);
    const cm = parse(deploy('k8s/configmap.yaml'));
    const r = loadConfigText(cm.data['config.yaml'], 'config.yaml');
    expect(r.ok && r.server.host).toBe('0.0.0.0');
    const env = parse(deploy('k8s/deployment.yaml')).spec.template.spec.containers[0].env as { name: string; value?: string }[];
    expect(env.find((e) => e.name === 'SEMROUTE_HOST')?.value).toBe('0.0.0.0');
  });

  it('envoy.yaml sends request headers + buffered bodies to semroute on :50051 and routes on x-selected-model', () => {
    const env = parse(deploy('envoy/envoy.yaml'));
    const hcm = env.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;
    const ext = hcm.http_filters.find((f: { name: string }) => f.name === 'envoy.filters.http.ext_proc').typed_config;
    expect(ext.processing_mode).toMatchObject({ request_header_mode: 'SEND', request_body_mode: 'BUFFERED', response_header_mode: 'SEND' });
    const cluster = env.static_resources.clusters.find((c: { name: string }) => c.name === ext.grpc_service.envoy_grpc.cluster_name);
    expect(cluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value).toBe(50051);
    const routes = hcm.route_config.virtual_hosts[0].routes;
    expect(routes.some((r: { match: { headers?: { name: string }[] } }) => r.match.headers?.[0]?.name === 'x-selected-model')).toBe(true);
  });
});
