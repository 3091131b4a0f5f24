/**
 * Checks a put's input before any I/O. Messages give sizes, never values: the value may be a secret.
 */
import { defaults } from '../../../core/defaults.ts';
import { show, TooLargeError, ValidationError } from '../../../core/errors.ts';
import type { ParamType, PutParamInput } from '../../../ports/params.ts';

const types: readonly ParamType[] = ['String', 'StringList', 'SecureString'];

export function validatePutInput(name: string, input: PutParamInput): void {
  if (input === null || typeof input !== 'object') throw new ValidationError(`put of parameter ${name}: the input must be an object like { value: '...' }.`);
  const { value, type, description, expectedVersion } = input;
  if (type !== undefined && !types.includes(type)) {
    throw new ValidationError(`Parameter ${name}: type ${show(type)} is not one of ${types.join(', ')}.`);
  }
  if (typeof value !== 'string') throw new ValidationError(`Parameter ${name}: the value must be a string, not ${value === null ? 'null' : typeof value}.`);
  if (value === '') throw new ValidationError(`Parameter ${name}: the value must not be empty (SSM does not allow empty values).`, { action: "Store a placeholder such as '-' or '0' instead." });
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > defaults.params.maxValueBytes) {
    throw new TooLargeError(`Parameter ${name}: the value is ${bytes} bytes; the limit is ${defaults.params.maxValueBytes} bytes.`, {
      action: 'Keep large values in an object and store its key in the parameter.',
    });
  }
  if (description !== undefined && (typeof description !== 'string' || description.length > defaults.params.maxDescriptionLength)) {
    throw new ValidationError(`Parameter ${name}: the description must be a string of at most ${defaults.params.maxDescriptionLength} characters.`);
  }
  if (expectedVersion !== undefined && (!Number.isSafeInteger(expectedVersion) || expectedVersion < 0)) {
    throw new ValidationError(`Parameter ${name}: expectedVersion ${show(expectedVersion)} must be a whole number >= 0 (0: the parameter must not exist yet).`);
  }
}

/** Checks a version asked for in a get. */
export function validateVersion(name: string, version: unknown): number {
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    throw new ValidationError(`Parameter ${name}: version ${show(version)} must be a whole number >= 1.`);
  }
  return version;
}

