/**
 * The parameter store port: SSM Parameter Store semantics.
 *
 * Names are hierarchical paths ('/app/ingest/cursor'). Every put creates a new version; a put can
 * require the current version (compare-and-set), so two runs cannot both advance a checkpoint.
 * SecureString values are encrypted at rest and are never included in errors or logs; `get`
 * returns them decrypted only with `withDecryption: true`, as SSM does.
 *
 * Left out on purpose: tiers, policies, labels and KMS key choice.
 */
import type { ParamType } from '../core/resources/configs.ts';

export type { ParamType } from '../core/resources/configs.ts';

export interface Param {
  name: string;
  type: ParamType;
  /** The value; for a SecureString read without decryption, the stored ciphertext (base64). */
  value: string;
  version: number;
  lastModified: number;
  description?: string;
}

export interface PutParamInput {
  value: string;
  /** Default 'String'; an existing parameter keeps its type unless overwritten with another. */
  type?: ParamType;
  description?: string;
  /** Must be true to replace an existing parameter (as SSM's Overwrite). */
  overwrite?: boolean;
  /** Compare-and-set: the put succeeds only if the current version is this (0: must not exist). */
  expectedVersion?: number;
}

export interface ParamStore {
  put(name: string, input: PutParamInput): Promise<{ version: number }>;
  get(name: string, options?: { withDecryption?: boolean; version?: number }): Promise<Param>;
  /** undefined instead of NotFoundError. */
  find(name: string, options?: { withDecryption?: boolean }): Promise<Param | undefined>;
  getByPath(path: string, options?: { recursive?: boolean; withDecryption?: boolean }): Promise<Param[]>;
  delete(name: string): Promise<void>;
  /** Every kept version, oldest first. */
  history(name: string, options?: { withDecryption?: boolean }): Promise<Param[]>;
}
