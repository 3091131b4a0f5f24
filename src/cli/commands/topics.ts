import type { Command } from 'commander';
import { withSession } from '../session.ts';

export function registerTopics(program: Command): void {
  const topics = program.command('topics').description('publish to topics and see deliveries');
  topics
    .command('publish')
    .argument('<topic>')
    .argument('<message>')
    .option('--subject <s>')
    .action(async (topic: string, message: string, o: { subject?: string }, cmd: Command) => {
      await withSession(cmd, async ({ backend, json }) => {
        const r = await backend.topics.publish(topic, { message, ...(o.subject ? { subject: o.subject } : {}) });
        await backend.topics.flush();
        console.log(json ? JSON.stringify(r) : `published ${r.messageId}`);
      });
    });
}
