/**
 * SecureString encryption at rest: AES-256-GCM with a random 12-byte IV per value, stored as
 * base64(iv | tag | ciphertext). The parameter name is bound as additional authenticated data, so a
 * ciphertext copied onto another parameter fails to decrypt instead of yielding its secret there.
 *
 * Nothing in this file puts a key or a plaintext into an error message.
 */
import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { StoreError } from '../../../core/errors.ts';

const ivBytes = 12;
const tagBytes = 16;

export function encrypt(key: KeyObject, plaintext: string, name: string): string {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: tagBytes });
  cipher.setAAD(Buffer.from(name, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

export function decrypt(key: KeyObject, stored: string, name: string, version: number): string {
  const raw = Buffer.from(stored, 'base64');
  try {
    if (raw.length < ivBytes + tagBytes) throw new Error('too short');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, ivBytes), { authTagLength: tagBytes });
    decipher.setAAD(Buffer.from(name, 'utf8'));
    decipher.setAuthTag(raw.subarray(ivBytes, ivBytes + tagBytes));
    return Buffer.concat([decipher.update(raw.subarray(ivBytes + tagBytes)), decipher.final()]).toString('utf8');
  } catch {
    // The cause is deliberately dropped: it can say nothing useful and must not carry data.
    throw new StoreError(`Cannot decrypt SecureString parameter ${name} (version ${version}): it was encrypted with another key, or the stored value is damaged.`, {
      action: 'Open the store with the key it was written with (the paramsKey option, BATON_PARAMS_KEY, or the params.key file in the state directory).',
    });
  }
}
