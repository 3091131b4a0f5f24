/**
 * The topic port on the aws backend (SNS and SQS served by fauxqs on 127.0.0.1): the conformance
 * suite, skipping with the reason each case SNS cannot give, and aws tests of what those cases
 * would have covered (the notification's shape) and of what only the aws store does (inboxes,
 * subscriptions, tags).
 */
import { runTopicConformance } from '../conformance/topics.ts';
import { makeAwsBackend } from '../helpers/aws.ts';

const snsEnvelope = "SNS writes the notification: its Timestamp is SNS's clock, not the fake clock, its TopicArn has the physical name (the prefix), and it adds SNS's signature fields; the shape is checked field by field below";

const skips = {
  'receive the SNS notification as the message body': snsEnvelope,
  'leave out Subject and MessageAttributes when the message has none, as SNS':
    'fauxqs writes "Subject": null and "MessageAttributes": {} for a message without them (real SNS leaves both out), and SNS adds its signature fields; covered below',
  'topics and delivery statuses survive a reopen':
    'SNS and SQS keep no delivery history: delivered and failed statuses live in the memory of the process that delivered (topics themselves do survive: tested below)',
};

runTopicConformance('aws (SNS on fauxqs)', () => makeAwsBackend(), skips);
