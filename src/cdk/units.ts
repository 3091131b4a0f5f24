/** Baton keeps milliseconds; CloudFormation wants whole seconds. Rounds up, so a limit never shrinks. */
export function seconds(ms: number): number {
  return Math.ceil(ms / 1000);
}

export function showMs(ms: number): string {
  if (ms % 60_000 === 0 && ms >= 60_000) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
