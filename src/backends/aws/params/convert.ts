/** SSM's parameter shapes to the port's Param. */
import type { Parameter, ParameterHistory } from '@aws-sdk/client-ssm';
import { StoreError } from '../../../core/errors.ts';
import type { Param, ParamType } from '../../../ports/params.ts';

const types: ReadonlySet<string> = new Set<ParamType>(['String', 'StringList', 'SecureString']);

/** A Param from GetParameter / GetParametersByPath (which carry no description) or GetParameterHistory. */
export function toParam(p: Parameter | ParameterHistory, fallbackName?: string): Param {
  const name = p.Name ?? fallbackName;
  if (name === undefined || p.Value === undefined || p.Version === undefined || !p.Type || !types.has(p.Type)) {
    throw new StoreError(`ssm returned an incomplete parameter${name ? ` ${name}` : ''} (name, type, value and version are required).`);
  }
  const description = 'Description' in p ? p.Description : undefined;
  return {
    name,
    type: p.Type as ParamType,
    value: p.Value,
    version: p.Version,
    lastModified: p.LastModifiedDate?.getTime() ?? 0,
    ...(description !== undefined ? { description } : {}),
  };
}

/** The name of an SDK error (ParameterNotFound, ...), or ''. */
export function errorName(err: unknown): string {
  const cause = (err as { cause?: unknown } | null)?.cause ?? err;
  const name = (cause as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : '';
}
