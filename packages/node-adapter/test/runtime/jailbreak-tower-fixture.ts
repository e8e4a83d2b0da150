/**
 * A test model folder: semroute-plus with a jailbreak `tower` of the test's choosing — its USE-lite tower graph given
 * one more output, `FIXTURE_OUTPUT` `[batch, 2]` (benign, jailbreak), computed from the same sentence embedding as the
 * domain `logits` (one `Gemm` with fixed pseudo-random weights; the scores mean nothing, the wiring is what the tests
 * check), so blend weights, temperatures and malformed blocks can be tried whatever semroute-plus itself ships.
 *
 * The graph is extended without an ONNX library: protobuf merges a message field that occurs twice, and appends the
 * elements of its repeated fields, so the tower's ModelProto bytes followed by one more `graph` field holding only the
 * new node, its two initializers and the new output parse as the tower graph plus that head. The folder links every
 * other file to models/semroute-plus (nothing large is copied or committed); heads.json gets the jailbreak `tower` block.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PLUS = fileURLToPath(new URL('../../../../models/semroute-plus', import.meta.url));
export const MINI = fileURLToPath(new URL('../../../../models/semroute-mini', import.meta.url));
export const TOWER = 'towers/use-lite';
/** The fixture's jailbreak output (not `jailbreak_logits`, so it never clashes with a tower graph that has one). */
export const FIXTURE_OUTPUT = 'fixture_jailbreak_logits';
/** The tensor of the USE-lite tower graph that feeds its domain head (the L2-normalised sentence embedding, 512 wide). */
const EMBEDDING = 'sentence_embedding';
const EMBEDDING_DIM = 512;

// --- protobuf wire format (what this needs of it) ---
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 127) {
    out.push((v & 127) | 128);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}
const bytesField = (field: number, body: Uint8Array | number[]): number[] => [...varint((field << 3) | 2), ...varint(body.length), ...body];
const stringField = (field: number, s: string): number[] => bytesField(field, [...new TextEncoder().encode(s)]);
const varintField = (field: number, n: number): number[] => [...varint(field << 3), ...varint(n)];

/** onnx.TensorProto: float32, raw little-endian data. */
function floatTensor(name: string, dims: readonly number[], values: Float32Array): number[] {
  return [...dims.flatMap((d) => varintField(1, d)), ...varintField(2, 1), ...stringField(8, name), ...bytesField(9, new Uint8Array(values.buffer))];
}

/** The tower graph's bytes plus a Gemm head from its sentence embedding to `output` ([batch, 2]). */
export function withJailbreakOutput(towerOnnx: Uint8Array, output = FIXTURE_OUTPUT): Uint8Array {
  // Fixed weights: a smooth pseudo-random projection, large enough that the two towers' scores disagree visibly.
  const w = Float32Array.from({ length: EMBEDDING_DIM * 2 }, (_, k) => 4 * Math.sin(k * k * 0.7071 + 1.3));
  const b = Float32Array.of(0.5, -0.5);
  const node = [...stringField(1, EMBEDDING), ...stringField(1, 'fixture_jb_W'), ...stringField(1, 'fixture_jb_b'), ...stringField(2, output), ...stringField(3, 'fixture_jb_gemm'), ...stringField(4, 'Gemm')];
  const dim = (d: number[]): number[] => bytesField(1, d);
  const shape = [...dim(stringField(2, 'batch')), ...dim(varintField(1, 2))];
  const tensorType = [...varintField(1, 1), ...bytesField(2, shape)];
  const valueInfo = [...stringField(1, output), ...bytesField(2, bytesField(1, tensorType))];
  const graph = [...bytesField(1, node), ...bytesField(5, floatTensor('fixture_jb_W', [EMBEDDING_DIM, 2], w)), ...bytesField(5, floatTensor('fixture_jb_b', [2], b)), ...bytesField(12, valueInfo)];
  const extra = Uint8Array.from(bytesField(7, graph));
  const out = new Uint8Array(towerOnnx.length + extra.length);
  out.set(towerOnnx, 0);
  out.set(extra, towerOnnx.length);
  return out;
}

/** What goes into heads.json's jailbreak `tower` block. */
export interface FixtureTower {
  readonly output?: string;
  readonly temperature?: number;
  readonly blend?: unknown;
  /** Extra or replacing keys (to write malformed blocks). */
  readonly raw?: Record<string, unknown>;
}

/**
 * A fresh model folder (in the OS temp dir): semroute-plus's files linked, its tower graph with the jailbreak output
 * and heads.json's jailbreak head given `tower` (default: output FIXTURE_OUTPUT, temperature 1, blend 0.5 / 1.2).
 * `null`: no jailbreak tower at all (semroute-plus with its domain tower only; the tower graph linked unchanged).
 */
export function makeJailbreakTowerModel(tower: FixtureTower | null = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'semroute-jb-tower-'));
  made.push(dir);
  for (const f of readdirSync(PLUS)) if (f !== 'heads.json' && f !== 'towers') symlinkSync(join(PLUS, f), join(dir, f));
  mkdirSync(join(dir, TOWER, 'onnx'), { recursive: true });
  for (const f of readdirSync(join(PLUS, TOWER))) if (f !== 'onnx') symlinkSync(join(PLUS, TOWER, f), join(dir, TOWER, f));
  const graph = join(PLUS, TOWER, 'onnx/model.onnx');
  if (tower) writeFileSync(join(dir, TOWER, 'onnx/model.onnx'), withJailbreakOutput(readFileSync(graph)));
  else symlinkSync(graph, join(dir, TOWER, 'onnx/model.onnx'));
  const heads = JSON.parse(readFileSync(join(PLUS, 'heads.json'), 'utf8')) as { heads: Array<Record<string, unknown>> };
  const jb = heads.heads.find((h) => h.name === 'jailbreak')!;
  if (tower) {
    jb.tower = {
      folder: TOWER,
      output: tower.output ?? FIXTURE_OUTPUT,
      temperature: tower.temperature ?? 1,
      blend: tower.blend ?? { weight: 0.5, temperature: 1.2 },
      ...tower.raw,
    };
  } else {
    delete jb.tower;
  }
  writeFileSync(join(dir, 'heads.json'), JSON.stringify(heads, null, 1));
  return dir;
}

const made: string[] = [];

/** Removes every folder {@link makeJailbreakTowerModel} made (links only: semroute-plus itself is untouched). */
export function removeJailbreakTowerModels(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}
