import { describe, expect, it } from 'vitest';
import { defaults } from '../../src/core/defaults.ts';
import { ValidationError } from '../../src/core/errors.ts';
import { JobRunner } from '../../src/runtime/jobs/runner.ts';

describe("one Baton name per concept: retries", () => {
  it('a job takes retries, as a function and a map do, and refuses the old maxFailures with the new name', async () => {
    expect(defaults.jobs.retries).toBe(5);
    expect(defaults.fn.asyncRetries).toBe(2);
    expect(defaults.map.retries).toBeGreaterThanOrEqual(0);
    const runner = new JobRunner({ backend: { clock: { now: () => 0 } } as never, executor: {} as never, fns: [] });
    const refused = runner.start('relay', { maxFailures: 2 } as never);
    await expect(refused).rejects.toThrow(ValidationError);
    await expect(runner.start('relay', { maxFailures: 2 } as never)).rejects.toThrow(/job option "maxFailures" was renamed "retries".*Pass retries: 2 instead\./);
  });
});
