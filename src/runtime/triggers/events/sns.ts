/**
 * The SNS event a topic subscription hands its function (@types/aws-lambda SNSEvent), built from
 * the SNS notification JSON the topic store enqueues for the subscription (Type, MessageId,
 * TopicArn, Subject?, Message, Timestamp, MessageAttributes?). As Lambda: Subject is null when the
 * message has none, MessageAttributes is {} when it has none, and the signature fields are there
 * but empty (nothing local signs).
 */
import type { SNSEvent, SNSMessageAttributes } from 'aws-lambda';

interface Notification {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  Timestamp: string;
  MessageAttributes?: SNSMessageAttributes;
}

export function snsEvent(notificationJson: string, subscriptionId: string): SNSEvent {
  const n = JSON.parse(notificationJson) as Notification;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: `${n.TopicArn}:${subscriptionId}`,
        Sns: {
          Type: n.Type,
          MessageId: n.MessageId,
          TopicArn: n.TopicArn,
          Subject: n.Subject ?? (null as unknown as string),
          Message: n.Message,
          Timestamp: n.Timestamp,
          SignatureVersion: '1',
          Signature: '',
          SigningCertUrl: '',
          UnsubscribeUrl: '',
          MessageAttributes: n.MessageAttributes ?? {},
        },
      },
    ],
  };
}
