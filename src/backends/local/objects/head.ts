/** An `objects` row as the port's ObjectHead. */
import type { ObjectHead } from '../../../ports/objects.ts';
import type { ObjectRow } from './queries.ts';

export function toHead(row: ObjectRow): ObjectHead {
  return {
    bucket: row.bucket,
    key: row.key,
    size: row.size,
    etag: row.etag,
    contentType: row.content_type,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    lastModified: row.last_modified,
  };
}
