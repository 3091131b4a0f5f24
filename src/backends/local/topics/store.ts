/**
 * The local (SQLite) topic store, with SNS semantics: publish once, deliver to every subscriber.
 *
 * publish checks the topic and the message, then in ONE transaction enqueues the SNS notification
 * to every queue subscriber and writes a pending delivery row (the outbox) for every file and
 * webhook subscriber; after the commit it wakes the queues' long-pollers and starts the file and
 * webhook deliveries in the background (see deliveries.ts for their states and retries). So a
 * publish that returned is never lost: queue subscribers have it, and the outbox rows survive a
 * crash and are resumed on the next open.
 *
 * Topic configs live in `topics` (so other processes see them) and are cached in memory; a
 * declare by another process is seen when this process first looks the topic up.
 */
import { defaults } from '../../../core/defaults.ts';
import { DefinitionError, NotFoundError } from '../../../core/errors.ts';
import type { DeliveryStatus, PublishInput, TopicConfig, TopicStore } from '../../../ports/topics.ts';
import type { LocalContext } from '../context.ts';
import { queueState } from '../queues/state.ts';
import { validateTopicConfig } from '../../shared/topics/config.ts';
import { DeliveryRunner } from './deliveries.ts';
import { buildMessage } from '../../shared/topics/message.ts';
import { makePublish } from './publish.ts';
import { prepare, type Statements } from './statements.ts';

export class LocalTopicStore implements TopicStore {
  private readonly stmts: Statements;
  private readonly configs = new Map<string, TopicConfig>();
  private readonly publishTx: ReturnType<typeof makePublish>;
  private readonly runner: DeliveryRunner;

  constructor(private readonly ctx: LocalContext) {
    this.stmts = prepare(ctx.db);
    this.publishTx = makePublish(ctx, this.stmts);
    this.runner = new DeliveryRunner(ctx, this.stmts);
    this.prune();
    // Deliveries a crashed process left pending start now (those whose lease has passed).
    this.runner.resume();
  }

  async declare(config: TopicConfig): Promise<void> {
    const clean = validateTopicConfig(config);
    const queues = queueState(this.ctx);
    for (const s of clean.subscribers) {
      if (s.kind === 'queue' && !queues.find(s.queue)) {
        throw new DefinitionError(`Topic '${clean.name}': its subscriber queue '${s.queue}' is not declared.`, {
          action: `Declare queue '${s.queue}' before topic '${clean.name}' (or fix the subscriber in baton.config.ts).`,
        });
      }
    }
    this.stmts.upsertTopic.run(clean.name, JSON.stringify(clean), this.ctx.clock.now());
    this.configs.set(clean.name, clean);
  }

  async list(): Promise<TopicConfig[]> {
    return this.stmts.allTopics.all().map((row) => {
      const config = JSON.parse(row.config) as TopicConfig;
      this.configs.set(config.name, config);
      return structuredClone(config);
    });
  }

  async publish(topic: string, input: PublishInput): Promise<{ messageId: string }> {
    const config = this.require(topic);
    const now = this.ctx.clock.now();
    const message = buildMessage(topic, input, now);
    const published = this.publishTx.immediate(config, message, now);
    for (const queue of new Set(published.queues)) this.ctx.signals.emit(`queue:${queue}`);
    this.runner.start(published.deliveryIds);
    return { messageId: published.messageId };
  }

  flush(): Promise<void> {
    return this.runner.flush();
  }

  /**
   * Stops delivering without waiting out retries: deliveries under way stay pending (durable) and
   * are resumed by the next process to open the state. Not part of the port; for a backend close
   * that must not wait on a slow webhook. Deliveries published after it are left to the next process.
   */
  stop(): Promise<void> {
    return this.runner.stop();
  }

  async deliveries(topic: string): Promise<DeliveryStatus[]> {
    this.require(topic);
    return this.stmts.byTopic.all(topic).map((row) => ({
      id: row.id,
      topic: row.topic,
      subscriber: row.subscriber,
      status: row.status,
      attempts: row.attempts,
      ...(row.last_error !== null ? { lastError: row.last_error } : {}),
    }));
  }

  /** The declared topic, or a NotFoundError telling where to declare it. */
  private require(name: string): TopicConfig {
    const hit = this.configs.get(name);
    if (hit) return hit;
    const row = typeof name === 'string' ? this.stmts.topicByName.get(name) : undefined;
    if (row) {
      const config = JSON.parse(row.config) as TopicConfig;
      this.configs.set(name, config);
      return config;
    }
    throw new NotFoundError(`Topic ${JSON.stringify(name)} is not declared.`, {
      action: `Declare it in baton.config.ts with topic(${JSON.stringify(name)}); the app declares its topics when it starts.`,
    });
  }

  /** Drops finished deliveries (and their messages) older than defaults.topics.deliveryRetentionMs. */
  private prune(): void {
    const cutoff = this.ctx.clock.now() - defaults.topics.deliveryRetentionMs;
    this.ctx.db.transaction(() => {
      this.stmts.pruneDeliveries.run(cutoff);
      this.stmts.pruneMessages.run(cutoff);
    })();
  }
}
