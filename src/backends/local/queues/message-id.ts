/**
 * Message ids of the local queues, derived from the row id instead of stored: a per-database
 * random prefix (made once, in schema.ts) and the row id as 12 decimal digits, shaped as a UUID
 * (version 8, RFC 9562's custom layout): `xxxxxxxx-xxxx-8xxx-yxxx-000000012345`. Row ids are
 * never reused (AUTOINCREMENT), and a message keeps its row through a DLQ move and a redrive, so
 * its id is unique in the database and stable for its whole life; the random prefix keeps ids of
 * different databases apart.
 *
 * Why not a stored random UUID: its 36 bytes were a sixth of a typical row, and every page a
 * message's row sits on is written three times (send, receive, delete); with randomUUID() and its
 * binding that was about 6% of a message's cost. Rows written before this scheme keep their
 * stored UUID (`message_id` is '' for derived ones).
 */
export class MessageIds {
  /** By the number of digits of the row id (1 to 12): the prefix, then zeros up to 12 digits. */
  private readonly padded: string[];

  /** @param random 20 random hex digits, as schema.ts stores them */
  constructor(random: string) {
    if (!/^[0-9a-f]{20}$/.test(random)) throw new Error(`queue_meta.message_id_prefix is ${JSON.stringify(random)}, not 20 hex digits (schema.ts makes it when the state is opened)`);
    const variant = '89ab'[parseInt(random[16]!, 16) & 3]!;
    const prefix = `${random.slice(0, 8)}-${random.slice(8, 12)}-8${random.slice(13, 16)}-${variant}${random.slice(17, 20)}-`;
    this.padded = Array.from({ length: 13 }, (_, digits) => prefix + '0'.repeat(Math.max(0, 12 - digits)));
  }

  /** The id of the message in row `id`; `stored` is its message_id column ('' unless written before ids were derived). */
  of(id: number, stored = ''): string {
    if (stored !== '') return stored;
    const digits = String(id);
    return this.padded[Math.min(digits.length, 12)]! + digits;
  }
}
