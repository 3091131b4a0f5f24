// Placeholder until the TopicStore over AWS lands (being built now); openAws fails clearly on use.
import type { TopicStore } from '../../../ports/topics.ts';
import { placeholder } from '../placeholder.ts';

export const AwsTopicStore = placeholder<TopicStore>('TopicStore');
