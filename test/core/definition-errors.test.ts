import { describe, expect, it } from 'vitest';
import { closest } from '../../src/core/closest.ts';
import { fn } from '../../src/core/resources/fn.ts';
import { queue } from '../../src/core/resources/queue.ts';
import { schedule } from '../../src/core/resources/schedule.ts';
import { table } from '../../src/core/resources/table.ts';
import { topic } from '../../src/core/resources/topic.ts';

/** The message a definition throws. */
function error(declare: () => unknown): string {
  try {
    declare();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the definition to throw');
}

describe('definition errors say what is allowed', () => {
  it('a trigger of no known shape lists the shapes, with advice for a bucket', () => {
    const m = error(() => fn('f', './f.ts', { triggers: [{ bucket: 'uploads' } as never] }));
    expect(m).toContain('field "triggers.0" = {"bucket":"uploads"}: expected a trigger: a queue trigger { queue, batchSize?, batchingWindow?, maxConcurrency?, reportBatchItemFailures? }');
    expect(m).toContain("or a table's stream trigger { table, batchSize?,");
    expect(m).toMatch(/a bucket invokes a function through its notifications instead/);
    expect(m).not.toMatch(/Invalid input/);
  });

  it('points at the innermost field of a trigger, not the trigger', () => {
    expect(error(() => fn('f', './f.ts', { triggers: [{ queue: 'jobs', batchSize: 0 }] }))).toMatch(/field "triggers\.0\.batchSize" = 0: expected at least 1\./);
    expect(error(() => fn('f', './f.ts', { triggers: [{ table: 't', filter: { eventName: ['UPSERT' as never] } }] }))).toMatch(/field "triggers\.0\.filter\.eventName\.0" = "UPSERT": expected one of "INSERT", "MODIFY", "REMOVE"/);
  });

  it('a target given as a bare name says which shapes to write', () => {
    const m = error(() => schedule('s', { expression: 'rate(1 hour)', target: 'scheduled' as never }));
    expect(m).toMatch(/field "target" = "scheduled": expected a target: a queue \{ queue: '<name>' \}, a topic \{ topic: '<name>' \}, a function \{ fn: '<name>' \} or the queue\(\)\/topic\(\)\/fn\(\) declaration itself/);
    expect(m).toContain("write { queue: 'scheduled' } or { topic: 'scheduled' } or { fn: 'scheduled' }");
  });

  it('a mistyped stream view type lists the view types and the closest', () => {
    expect(error(() => table('t', { partitionKey: 'id', stream: 'NEW_IMAGES' as never }))).toMatch(
      /field "stream" = "NEW_IMAGES": expected a boolean or one of "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES" \(did you mean "NEW_IMAGE"\?\)/,
    );
  });

  it('an unknown field lists the allowed ones and suggests the closest', () => {
    expect(error(() => queue('q', { visibilityTimout: '30s' } as never))).toMatch(
      /field "visibilityTimout" = "30s": unknown field \(did you mean "visibilityTimeout"\?\); the fields allowed here are "visibilityTimeout", "retention", "delay", "maxMessageSize", "deadLetter"/,
    );
    // Inside a shape: the allowed fields are that shape's.
    expect(error(() => fn('f', './f.ts', { triggers: [{ table: 't', bisectOnErr: true } as never] }))).toMatch(/field "triggers\.0\.bisectOnErr" = true: unknown field \(did you mean "bisectOnError"\?\); the fields allowed here are "table", "batchSize"/);
    // Nothing close: no guess.
    expect(error(() => queue('q', { colour: 'red' } as never))).toMatch(/field "colour" = "red": unknown field; the fields allowed/);
  });

  it('a wrong type says the type expected, and a duration says how durations are written', () => {
    expect(error(() => queue('q', { delay: true } as never))).toMatch(/field "delay" = true: expected a duration: milliseconds or a string like '500ms'/);
    expect(error(() => topic('t', { subscribers: [{ webhook: 'ftp://x' }] }))).toMatch(/field "subscribers\.0\.webhook" = "ftp:\/\/x": expected an http\(s\) URL/);
    expect(error(() => topic('t', { subscribers: [{ mail: 'ops@example.com' } as never] }))).toMatch(/field "subscribers\.0" = .*expected a subscriber: a queue \{ queue: '<name>' \}, a function \{ fn: '<name>' \}, the queue\(\)\/fn\(\) declaration itself, a file \{ file: '<path>' \} or a webhook \{ webhook, attempts\?, backoff\?, timeout\? \}/);
  });
});

describe('closest()', () => {
  it('finds a likely typo and refuses a far or tied guess', () => {
    expect(closest('visibiltyTimeout', ['visibilityTimeout', 'retention'])).toBe('visibilityTimeout');
    expect(closest('batchsize', ['batchSize', 'bisectOnError'])).toBe('batchSize');
    expect(closest('colour', ['visibilityTimeout', 'retention'])).toBeUndefined();
    expect(closest('ab', ['ac', 'ad'])).toBeUndefined();
  });
});
