/**
 * Starting the built edge examples in their real runtimes (workerd, Deno, Bun) on loopback, shared by the tests
 * and the benchmark. A missing runtime binary is an error with the install hint, never a skip.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { MODEL_DIR, buildAll, workerdConfig } from '../scripts/build.mjs';

export const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = join(PKG, '../..');
export { MODEL_DIR };

export type EdgeRuntime = 'workerd' | 'deno' | 'bun';
export const EDGE_RUNTIMES: readonly EdgeRuntime[] = ['workerd', 'deno', 'bun'];

export interface Built {
  out: string;
  worker: string;
  deno: string;
  bun: string;
  sizes: { workerJs: number; workerJsGzip: number; wasm: number; wasmGzip: number };
}

export const build = (out: string): Promise<Built> => buildAll(out);

const require = createRequire(join(PKG, 'package.json'));

/** The runtime's binary as its npm package installs it (pnpm `allowBuilds` runs each package's postinstall). */
export function runtimeBinary(rt: EdgeRuntime): string {
  const candidates: Record<EdgeRuntime, () => string> = {
    workerd: () => join(dirname(require.resolve('workerd/package.json')), 'bin/workerd'),
    deno: () => join(dirname(require.resolve('deno/package.json')), 'deno'),
    bun: () => join(dirname(require.resolve('bun/package.json')), 'bin/bun.exe'),
  };
  let path: string;
  try {
    path = candidates[rt]();
  } catch {
    throw new Error(`the ${rt} npm package is not installed: run \`pnpm install\` (it is a devDependency of packages/edge-examples)`);
  }
  if (!existsSync(path)) {
    throw new Error(
      `${rt} binary missing at ${path}: its postinstall did not run. Check \`allowBuilds: ${rt}: true\` in pnpm-workspace.yaml and run \`pnpm install\`.`,
    );
  }
  return path;
}

export interface RunningRuntime {
  readonly runtime: EdgeRuntime | 'node';
  readonly url: string;
  readonly pid: number;
  /** Milliseconds from spawn to listening. */
  readonly startMs: number;
  /** Everything the process printed so far (stdout + stderr). */
  logs(): string;
  /** Peak resident memory of the process (VmHWM), bytes; 0 where /proc is missing. */
  peakRss(): number;
  /** Current resident memory (VmRSS), bytes. */
  rss(): number;
  close(): Promise<void>;
}

function procStatus(pid: number, key: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function wrapProcess(runtime: RunningRuntime['runtime'], child: ChildProcess, url: string, startMs: number, logs: () => string): RunningRuntime {
  return {
    runtime,
    url,
    pid: child.pid!,
    startMs,
    logs,
    peakRss: () => procStatus(child.pid!, 'VmHWM'),
    rss: () => procStatus(child.pid!, 'VmRSS'),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

export interface StartOptions {
  /** Router config text (YAML). */
  readonly configYaml: string;
  /** Scratch folder for the config file and workerd's capnp file. */
  readonly work: string;
  readonly timeoutMs?: number;
  /** Model variant the example loads (default: its own default, int8). */
  readonly dtype?: 'int8' | 'fp32';
}

/** Starts one built example on a free loopback port and resolves once it listens (the model loads on the first request). */
export async function startRuntime(rt: EdgeRuntime, built: Built, o: StartOptions): Promise<RunningRuntime> {
  const bin = runtimeBinary(rt);
  const configFile = join(o.work, `config-${rt}.yaml`);
  writeFileSync(configFile, o.configYaml);
  let child: ChildProcess;
  if (rt === 'workerd') {
    // The disk service stands in for Workers static assets; the model folder is served from the repository.
    // (capnp `embed` paths are relative to the capnp file: the config goes next to it.)
    const tag = `${process.pid}-${Date.now()}`;
    writeFileSync(join(built.worker, `config-${tag}.yaml`), o.configYaml);
    const capnp = join(built.worker, `test-${tag}.capnp`);
    writeFileSync(capnp, workerdConfig({ port: 0, assetsDir: dirname(MODEL_DIR), modelPath: '/semroute-mini/', configFile: `config-${tag}.yaml`, ...(o.dtype ? { dtype: o.dtype } : {}) }));
    child = spawn(bin, ['serve', capnp, '--control-fd=3', '--socket-addr=http=127.0.0.1:0'], { cwd: built.worker, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
  } else {
    const env = { ...process.env, PORT: '0', HOST: '127.0.0.1', SEMROUTE_MODEL_DIR: MODEL_DIR, SEMROUTE_CONFIG_FILE: configFile, NO_COLOR: '1', ...(o.dtype ? { SEMROUTE_DTYPE: o.dtype } : {}) };
    const args = rt === 'deno' ? ['run', '--allow-net', '--allow-read', '--allow-env', '--no-prompt', join(built.deno, 'server.js')] : [join(built.bun, 'server.js')];
    child = spawn(bin, args, { cwd: rt === 'deno' ? built.deno : built.bun, env, stdio: ['ignore', 'pipe', 'pipe'] });
  }
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const t0 = performance.now();
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${rt} did not start listening within ${o.timeoutMs ?? 20_000} ms; output:\n${out}`)), o.timeoutMs ?? 20_000);
    const done = (p: number) => {
      clearTimeout(timer);
      resolve(p);
    };
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${rt} exited with ${code} before listening; output:\n${out}`));
    });
    const scan = (text: string) => {
      for (const line of text.split('\n')) {
        try {
          const m = JSON.parse(line) as { event?: string; msg?: string; port?: number };
          if ((m.event === 'listen' || m.msg === 'listening') && typeof m.port === 'number') return done(m.port);
        } catch {
          // not a JSON line
        }
      }
    };
    if (rt === 'workerd') {
      let ctl = '';
      (child.stdio[3] as Readable).on('data', (d: Buffer) => {
        ctl += d.toString();
        scan(ctl);
      });
    } else {
      let buf = '';
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        scan(buf);
      });
    }
  });
  return wrapProcess(rt, child, `http://127.0.0.1:${port}`, performance.now() - t0, () => out);
}

/** The default config with both example backends pointed at `backend` (`host:port`). */
export function configFor(defaultYaml: string, backend: string): string {
  const y = defaultYaml.replaceAll('127.0.0.1:8802', backend);
  if (y === defaultYaml) throw new Error('the default config no longer names 127.0.0.1:8802; update configFor()');
  return y;
}
