import { embeddedArn } from '../../../core/region.ts';
import type { TopicMessage } from '../../../ports/topics.ts';

/** The ARN a topic has on the local backend (core/region.ts: the embedded region and account). */
export function topicArn(topic: string): string {
  return embeddedArn('sns', topic);
}

/**
 * The SNS notification for a message: what an SQS queue subscribed to SNS receives as its body,
 * what an HTTP subscriber receives as the POST body, and one line of a file outbox. As SNS, Subject
 * and MessageAttributes appear only when the message has them. Left out: the signature fields
 * (SignatureVersion, Signature, SigningCertURL, UnsubscribeURL), since nothing local signs.
 */
export function toNotification(message: TopicMessage): string {
  const attributes = Object.entries(message.attributes);
  return JSON.stringify({
    Type: 'Notification',
    MessageId: message.messageId,
    TopicArn: topicArn(message.topic),
    ...(message.subject !== undefined ? { Subject: message.subject } : {}),
    Message: message.message,
    Timestamp: message.timestamp,
    ...(attributes.length > 0 ? { MessageAttributes: Object.fromEntries(attributes.map(([k, v]) => [k, { Type: 'String', Value: v }])) } : {}),
  });
}
