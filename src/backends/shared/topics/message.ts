import { randomUUID } from 'node:crypto';
import { defaults } from '../../../core/defaults.ts';
import { TooLargeError, ValidationError, show } from '../../../core/errors.ts';
import { formatSize } from '../../../core/size.ts';
import type { PublishInput, TopicMessage } from '../../../ports/topics.ts';

/**
 * Checks a publish and builds the message. Size is the message plus the subject and every
 * attribute name and value, in UTF-8 bytes.
 */
export function buildMessage(topic: string, input: PublishInput, now: number): TopicMessage {
  const message: unknown = input?.message;
  if (typeof message !== 'string') {
    throw new ValidationError(`Topic '${topic}': message is ${show(message)}; it must be a string.`, { action: 'Serialize the payload, e.g. with JSON.stringify, before publishing.' });
  }
  let size = Buffer.byteLength(message, 'utf8');
  const subject: unknown = input.subject;
  if (subject !== undefined) {
    if (typeof subject !== 'string' || subject === '' || subject.length > 100 || /[\r\n]/.test(subject)) {
      throw new ValidationError(`Topic '${topic}': subject ${show(subject)} is not valid.`, { action: 'Use 1-100 characters on one line (as SNS), or leave the subject out.' });
    }
    size += Buffer.byteLength(subject, 'utf8');
  }
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(input.attributes ?? {})) {
    if (typeof value !== 'string') throw new ValidationError(`Topic '${topic}': attribute '${name}' is ${show(value)}; attribute values must be strings.`);
    attributes[name] = value;
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value, 'utf8');
  }
  const limit = defaults.topics.maxMessageSize;
  if (size > limit) {
    throw new TooLargeError(
      `Message for topic '${topic}' is ${size} bytes (${formatSize(size)}, message plus subject and attributes in UTF-8), over the limit of ${limit} bytes (${formatSize(limit)}).`,
      { action: 'Put the payload in an object and publish its key.' },
    );
  }
  return { messageId: randomUUID(), topic, ...(subject !== undefined ? { subject } : {}), message, attributes, timestamp: new Date(now).toISOString() };
}
