/** `baton events <kind>`: a sample event of that kind (dev-events.ts), with the options `baton invoke --trigger` shares. */
import type { Command } from 'commander';
import { eventKinds, sampleEvent, type SampleOptions } from '../dev-events.ts';
import { wholeFlag } from '../flags.ts';

/** The options `baton events` and `baton invoke --trigger` share. */
export function sampleOptions(cmd: Command): Command {
  return cmd
    .option('--bucket <name>', 's3: the bucket')
    .option('--key <key>', 's3: the object key (encoded in the record as S3 encodes it)')
    .option('--size <bytes>', 's3: the object size', wholeFlag('--size', 0))
    .option('--removed', 's3: an ObjectRemoved:Delete record')
    .option('--queue <name>', 'sqs: the queue')
    .option('--body <text>', 'sqs: the message body; sns: the message')
    .option('--table <name>', 'dynamodb: the table')
    .option('--item <json>', 'dynamodb: the new image, e.g. \'{"id":"a1","total":3}\'')
    .option('--old <json>', 'dynamodb: the old image (MODIFY, REMOVE)')
    .option('--event-name <name>', 'dynamodb: INSERT, MODIFY or REMOVE')
    .option('--view-type <type>', 'dynamodb: KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES')
    .option('--schedule <name>', 'schedule: the schedule (its rule ARN names it)')
    .option('--topic <name>', 'sns: the topic')
    .option('--subject <text>', 'sns: the subject');
}

export function registerEvents(program: Command): void {
  sampleOptions(
    program
      .command('events')
      .description(`print a sample event, as Lambda gets it from that service: ${eventKinds.join(', ')} (as sam local generate-event)`)
      .argument('<kind>', eventKinds.join(' | ')),
  ).action((kind: string, o: SampleOptions) => {
    console.log(JSON.stringify(sampleEvent(kind, o), null, 2));
  });
}
