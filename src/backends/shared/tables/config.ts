/** Checks a table's configuration at declare time and compares key schemas. */
import { show, ValidationError } from '../../../core/errors.ts';
import type { KeyType, StreamViewType, TableConfig } from '../../../ports/tables.ts';

const tableName = /^[A-Za-z0-9_.-]{1,255}$/;
const keyTypes: readonly KeyType[] = ['string', 'number'];
const viewTypes: readonly StreamViewType[] = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'];

function invalid(name: unknown, what: string): ValidationError {
  return new ValidationError(`Table ${show(name)} cannot be declared: ${what}.`, { action: 'Fix the table in baton.config.ts.' });
}

function checkKey(table: unknown, role: string, key: unknown): { name: string; type: KeyType } {
  const k = key as { name?: unknown; type?: unknown } | null;
  if (k === null || typeof k !== 'object') throw invalid(table, `the ${role} key must be { name, type }, not ${show(key)}`);
  if (typeof k.name !== 'string' || k.name === '' || k.name.length > 255) throw invalid(table, `the ${role} key name ${show(k.name)} must be a string of 1 to 255 characters`);
  if (!keyTypes.includes(k.type as KeyType)) throw invalid(table, `the ${role} key type ${show(k.type)} must be 'string' or 'number'`);
  return { name: k.name, type: k.type as KeyType };
}

/** Returns a clean copy of the config, or throws a ValidationError naming the table and the field. */
export function validateConfig(config: TableConfig): TableConfig {
  if (config === null || typeof config !== 'object') throw invalid(config, 'the config must be an object');
  const { name } = config;
  if (typeof name !== 'string' || !tableName.test(name)) throw invalid(name, "the name must be 1 to 255 letters, digits, '_', '.' or '-'");
  const partitionKey = checkKey(name, 'partition', config.partitionKey);
  const sortKey = config.sortKey === undefined ? undefined : checkKey(name, 'sort', config.sortKey);
  if (sortKey && sortKey.name === partitionKey.name) throw invalid(name, `the sort key and the partition key are both "${sortKey.name}"`);
  let stream: TableConfig['stream'];
  if (config.stream !== undefined) {
    const viewType = (config.stream as { viewType?: unknown } | null)?.viewType;
    if (!viewTypes.includes(viewType as StreamViewType)) throw invalid(name, `stream.viewType ${show(viewType)} must be one of ${viewTypes.join(', ')}`);
    stream = { viewType: viewType as StreamViewType };
  }
  return { name, partitionKey, ...(sortKey ? { sortKey } : {}), ...(stream ? { stream } : {}) };
}

export function sameKeys(a: TableConfig, b: TableConfig): boolean {
  const same = (x?: { name: string; type: KeyType }, y?: { name: string; type: KeyType }) => x?.name === y?.name && x?.type === y?.type;
  return same(a.partitionKey, b.partitionKey) && same(a.sortKey, b.sortKey);
}

export function describeKeys(c: TableConfig): string {
  const pk = `${c.partitionKey.name} (${c.partitionKey.type})`;
  return c.sortKey ? `partition key ${pk}, sort key ${c.sortKey.name} (${c.sortKey.type})` : `partition key ${pk}, no sort key`;
}
