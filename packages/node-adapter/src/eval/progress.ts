/**
 * A progress bar with rate and ETA on stderr (redrawn in place on a TTY, a line every 10 s otherwise).
 * @module
 */

export interface ProgressOptions {
  readonly total: number;
  readonly stream?: NodeJS.WriteStream;
  readonly quiet?: boolean;
  readonly label?: string;
}

export function formatDuration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '--';
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export class Progress {
  private done = 0;
  private errors = 0;
  private readonly t0 = Date.now();
  private lastLine = 0;
  constructor(private readonly opts: ProgressOptions) {}

  tick(ok: boolean): void {
    this.done++;
    if (!ok) this.errors++;
    this.render(false);
  }

  line(): string {
    const { total } = this.opts;
    const frac = total ? this.done / total : 1;
    const width = 28;
    const filled = Math.round(frac * width);
    const elapsed = (Date.now() - this.t0) / 1000;
    const rate = elapsed > 0 ? this.done / elapsed : 0;
    const eta = rate > 0 ? (total - this.done) / rate : Number.NaN;
    return `${this.opts.label ?? 'eval'} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${total} ${(frac * 100).toFixed(0)}% | ${this.errors} errors | ${rate.toFixed(1)}/s | ETA ${formatDuration(eta)}`;
  }

  render(final: boolean): void {
    if (this.opts.quiet) return;
    const stream = this.opts.stream ?? process.stderr;
    if (stream.isTTY) {
      stream.write(`\r${this.line()}${final ? '\n' : ''}`);
    } else if (final || Date.now() - this.lastLine > 10_000) {
      this.lastLine = Date.now();
      stream.write(`${this.line()}\n`);
    }
  }

  finish(): void {
    this.render(true);
  }
}
