/**
 * Physical names: the name a resource has in AWS is the app's name for it with the backend's
 * prefix. Baton's own state (runs, jobs, map ledger, stream positions, and the runtime's leases and
 * engine registry, which it declares through the table port as 'baton-leases') lives in DynamoDB
 * tables named `<prefix>baton-<what>`.
 */
export type BatonTable = 'runs' | 'run-logs' | 'run-fns' | 'run-cancels' | 'jobs' | 'job-steps' | 'maps' | 'map-items' | 'stream-positions' | 'queue-configs' | 'leases';

export class Names {
  constructor(readonly prefix: string) {}

  /**
   * A bucket's physical name. A name that already carries the prefix is taken as physical, so the
   * mapping is idempotent: a handler that reads a bucket named in an S3 event record (which holds
   * the physical name, as S3 writes it) reaches the same bucket as the app's name does. The price:
   * an app bucket whose own name starts with the prefix keeps that name in AWS (no second prefix).
   */
  bucket(name: string): string {
    return this.prefix !== '' && name.startsWith(this.prefix) ? name : `${this.prefix}${name}`;
  }
  queue(name: string): string {
    return `${this.prefix}${name}`;
  }
  table(name: string): string {
    return `${this.prefix}${name}`;
  }
  topic(name: string): string {
    return `${this.prefix}${name}`;
  }
  /** SSM names are the app's own paths: a prefix would break the hierarchy users address. */
  param(name: string): string {
    return name;
  }
  baton(table: BatonTable): string {
    return `${this.prefix}baton-${table}`;
  }
  /** The app's name for a physical name, or undefined when it does not carry the prefix. */
  strip(physical: string): string | undefined {
    return physical.startsWith(this.prefix) ? physical.slice(this.prefix.length) : undefined;
  }
}
