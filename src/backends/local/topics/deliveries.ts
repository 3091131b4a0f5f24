/**
 * Delivers file and webhook deliveries in the background, tracked: every delivery's promise is
 * kept in a set until it settles, and every outcome (or unexpected error) is written to its row.
 *
 * A delivery row moves so:
 *
 *   publish ──▶ PENDING (leased to the publishing process) ──attempt ok──▶ DELIVERED
 *   PENDING ──attempt fails, attempts left──▶ PENDING (attempts+1, lastError, lease covers the
 *                                              backoff wait) ──wait──▶ next attempt
 *   PENDING ──last attempt fails, or an unexpected error──▶ FAILED (lastError)
 *   PENDING, lease expired (its process died) ──resume()──▶ leased to this process, continuing
 *                                              from its recorded attempt count
 *
 *   PENDING ──stop()──▶ PENDING, lease released (the attempt under way is not counted), so the
 *                                              next process to open the state resumes it at once
 *
 * resume() runs when the store opens and in every flush(), so a delivery left by a crash is
 * picked up by the next process to open the state (or by this one's next flush once the dead
 * owner's lease has passed). Delivery is at least once: a crash between the append or POST and the
 * row update repeats it; receivers can dedupe by MessageId.
 */
import { defaults } from '../../../core/defaults.ts';
import { serializeError } from '../../../core/errors.ts';
import type { Subscriber } from '../../../ports/topics.ts';
import type { LocalContext } from '../context.ts';
import { FileAppender } from '../../shared/topics/deliver-file.ts';
import { AttemptError, postNotification } from '../../shared/topics/deliver-webhook.ts';
import { topicArn } from './notification.ts';
import { leaseFor } from '../../shared/topics/lease.ts';
import { backoff, policyOf } from '../../shared/topics/retry.ts';
import type { DeliveryRow, Statements } from './statements.ts';

const page = 500;

export class DeliveryRunner {
  private readonly inflight = new Set<Promise<void>>();
  /** Row ids this process is delivering now. */
  private readonly active = new Set<number>();
  private readonly stopping = new AbortController();

  private readonly files: FileAppender;

  constructor(
    private readonly ctx: LocalContext,
    private readonly stmts: Statements,
  ) {
    this.files = new FileAppender(ctx.dir);
  }

  /** Starts rows this process already holds (written by its own publish). */
  start(ids: readonly number[]): void {
    for (const id of ids) this.track(id);
  }

  /**
   * Stops delivering: a delivery waiting to retry or waiting on a webhook ends now and stays
   * pending, released for the next process; a file append under way finishes. Resolves when
   * nothing is in flight. For shutting down without waiting out retries (flush waits them out).
   */
  async stop(): Promise<void> {
    this.stopping.abort(new Error('the topic store stopped'));
    await Promise.allSettled([...this.inflight]);
  }

  /** Takes over every pending row no live process holds, and starts it. */
  resume(): void {
    if (this.stopping.signal.aborted) return;
    let after = 0;
    for (;;) {
      const now = this.ctx.clock.now();
      const rows = this.stmts.claimable.all(now, after, page);
      for (const { id } of rows) {
        after = id;
        if (this.active.has(id)) continue;
        const row = this.stmts.delivery.get(id);
        if (!row) continue;
        const lease = leaseFor(JSON.parse(row.target) as Subscriber);
        if (this.stmts.claim.run(now + lease, id, now).changes === 1) this.track(id);
      }
      if (rows.length < page) return;
    }
  }

  /** Resolves when this process has no delivery in flight and none is left to take over. */
  async flush(): Promise<void> {
    for (;;) {
      this.resume();
      if (this.inflight.size === 0) return;
      await Promise.allSettled([...this.inflight]);
    }
  }

  private track(id: number): void {
    if (this.active.has(id) || this.stopping.signal.aborted) return;
    this.active.add(id);
    const run: Promise<void> = this.deliver(id)
      .catch((err: unknown) => this.giveUp(id, err))
      .finally(() => {
        this.active.delete(id);
        this.inflight.delete(run);
      });
    this.inflight.add(run);
  }

  private async deliver(id: number): Promise<void> {
    const row = this.stmts.delivery.get(id);
    if (!row) return;
    const target = JSON.parse(row.target) as Subscriber;
    const policy = policyOf(target);
    let lastError: string | null = null;
    let attempts = row.attempts;
    const signal = this.stopping.signal;
    while (attempts < policy.attempts) {
      if (signal.aborted) return this.release(id);
      attempts++;
      this.stmts.extend.run(this.ctx.clock.now() + leaseFor(target), id);
      try {
        await this.attempt(target, row, signal);
        this.stmts.finish.run('delivered', attempts, null, this.ctx.clock.now(), id);
        return;
      } catch (err) {
        if (signal.aborted) return this.release(id);
        if (!(err instanceof AttemptError) && !isFsError(err)) throw err;
        lastError = err.message;
      }
      if (attempts >= policy.attempts) break;
      const wait = backoff(policy, attempts);
      const now = this.ctx.clock.now();
      this.stmts.progress.run(attempts, lastError, now + leaseFor(target, wait), now, id);
      try {
        await this.ctx.clock.sleep(wait, signal);
      } catch (err) {
        if (signal.aborted) return this.release(id);
        throw err;
      }
    }
    this.stmts.finish.run('failed', attempts, lastError ?? 'no attempts left', this.ctx.clock.now(), id);
  }

  private attempt(target: Subscriber, row: DeliveryRow, signal: AbortSignal): Promise<void> {
    switch (target.kind) {
      case 'file':
        return this.files.append(target.path, row.notification);
      case 'webhook':
        return postNotification(target, topicArn(row.topic), row.message_id, row.notification, signal);
      case 'queue':
        // Queue subscribers are served in the publish transaction and never get a row.
        return Promise.reject(new Error(`delivery ${row.id} names queue '${target.queue}', which is delivered at publish`));
    }
  }

  private release(id: number): void {
    this.stmts.release.run(this.ctx.clock.now(), id);
  }

  /** An unexpected error: record it and give the delivery up, so flush() cannot spin on it. */
  private giveUp(id: number, err: unknown): void {
    const { message } = serializeError(err);
    try {
      this.stmts.finish.run('failed', this.stmts.delivery.get(id)?.attempts ?? 0, `unexpected error: ${message}`, this.ctx.clock.now(), id);
    } catch {
      // The database is gone (closed while delivering): the row stays pending and is resumed
      // by the next process to open the state.
    }
  }
}

function isFsError(err: unknown): err is Error {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}
