import type { Statement } from 'better-sqlite3';
import type { Db } from '../db.ts';

/**
 * A statement over a list of rows or ids, prepared once per list length in `sizes` (on first use).
 * A list runs in chunks of those lengths, largest first (100 = 64 + 32 + 4: three runs), which
 * keeps the prepared statements few whatever lengths the lists have.
 *
 * Why lists at all: a statement run from JS costs several thousand instructions beyond its SQL
 * (binding, stepping, resetting, the result object); one run per message was about a tenth of
 * a message's cost where one run per chunk does the same work.
 */
export class Chunked {
  static readonly sizes = [64, 32, 16, 8, 4, 2, 1] as const;
  private readonly made = new Map<number, Statement<unknown[]>>();

  /** @param sql the statement for a list of `size` items */
  constructor(
    private readonly db: Db,
    private readonly sql: (size: number) => string,
  ) {}

  /** Calls `run` for each chunk of a list of `count` items: its statement, first item and length. */
  each(count: number, run: (stmt: Statement<unknown[]>, at: number, size: number) => void): void {
    let at = 0;
    for (const size of Chunked.sizes) {
      if (count - at < size) continue;
      const stmt = this.statement(size);
      for (; count - at >= size; at += size) run(stmt, at, size);
    }
  }

  private statement(size: number): Statement<unknown[]> {
    let stmt = this.made.get(size);
    if (!stmt) {
      stmt = this.db.prepare(this.sql(size));
      this.made.set(size, stmt);
    }
    return stmt;
  }
}

/** `item` `count` times, comma-separated: `?, ?, ?` by default. */
export function repeat(count: number, item = '?'): string {
  return Array.from({ length: count }, () => item).join(', ');
}
