import { describe, expect, it } from 'vitest';
import { formatDuration, Progress } from './progress.js';

describe('progress', () => {
  it('formats durations', () => {
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(125)).toBe('2m05s');
    expect(formatDuration(7300)).toBe('2h01m');
    expect(formatDuration(Number.NaN)).toBe('--');
  });

  it('shows count, errors, rate and ETA', () => {
    const p = new Progress({ total: 10, quiet: true });
    p.tick(true);
    p.tick(false);
    expect(p.line()).toMatch(/^eval \[#+\.+\] 2\/10 20% \| 1 errors \| [\d.]+\/s \| ETA /);
  });
});
