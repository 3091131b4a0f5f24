/**
 * `baton provision`: declares the app's resources on the chosen backend (queues with their
 * dead-letter queues, buckets, tables with streams, topics, initial params) and prints what it
 * declared. Idempotent: a second run declares the same and creates nothing new.
 */
import type { Command } from 'commander';
import { printValue } from '../output.ts';
import { withSession } from '../session.ts';

export function registerProvision(program: Command): void {
  program
    .command('provision')
    .description("declare the app's queues, buckets, tables, topics and initial params on the backend (idempotent); prints what it declared")
    .action(async (_o: unknown, cmd: Command) => {
      await withSession(
        cmd,
        async ({ app, spec, json }) => {
          const report = await app.provision();
          if (json) return printValue({ app: spec.name, backend: app.backend.name, ...report }, true);
          const list = (names: string[]) => (names.length ? names.join(', ') : '-');
          console.log(`provisioned app "${spec.name}" on ${app.backend.name}:`);
          console.log(`  queues   ${list(report.queues)}`);
          console.log(`  buckets  ${list(report.buckets)}`);
          console.log(`  tables   ${list(report.tables)}`);
          console.log(`  topics   ${list(report.topics)}`);
          console.log(`  params   created ${list(report.params.created)}; already there ${list(report.params.kept)}`);
        },
        { provision: false },
      );
    });
}
