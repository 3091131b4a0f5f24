/**
 * Parameter names and paths, validated as SSM validates them, so a name that works here also works
 * on AWS: letters, digits and `_ . - /`; a hierarchical name starts with '/' and has no empty level;
 * at most `defaults.params.maxLevels` levels and `defaults.params.maxNameLength` characters; the
 * first level may not begin with 'aws' or 'ssm' (reserved by AWS).
 */
import { defaults } from '../../../core/defaults.ts';
import { show, ValidationError } from '../../../core/errors.ts';

const allowedChars = /^[A-Za-z0-9_.\-/]+$/;
const reserved = /^(aws|ssm)/i;
const nameAction = "Use a name like '/app/ingest/cursor': letters, digits, '_', '.' and '-', levels separated by '/'.";

function invalidName(name: unknown, rule: string): ValidationError {
  return new ValidationError(`Parameter name ${show(name)} is invalid: ${rule}.`, { action: nameAction });
}

/** Returns the name if valid, else throws a ValidationError naming the value and the broken rule. */
export function validateName(name: unknown): string {
  if (typeof name !== 'string' || name === '') throw invalidName(name, 'it must be a non-empty string');
  if (name.length > defaults.params.maxNameLength) throw invalidName(name, `it is ${name.length} characters long; the limit is ${defaults.params.maxNameLength}`);
  if (!allowedChars.test(name)) throw invalidName(name, "only letters, digits, '_', '.', '-' and '/' are allowed");
  if (name.includes('/')) {
    if (!name.startsWith('/')) throw invalidName(name, "a name with levels must start with '/'");
    if (name.endsWith('/') || name.includes('//')) throw invalidName(name, "a level must not be empty (no '//' and no trailing '/')");
  }
  const levels = name.split('/').filter((s) => s !== '');
  if (levels.length > defaults.params.maxLevels) throw invalidName(name, `it has ${levels.length} levels; the limit is ${defaults.params.maxLevels}`);
  if (reserved.test(levels[0] ?? '')) throw invalidName(name, "names may not begin with 'aws' or 'ssm' (reserved by AWS)");
  return name;
}

/**
 * Validates a get-by-path path ('/' or '/a/b', a trailing '/' allowed) and returns it without the
 * trailing '/', except for the root.
 */
export function validatePath(path: unknown): string {
  const invalid = (rule: string) =>
    new ValidationError(`Parameter path ${show(path)} is invalid: ${rule}.`, { action: "Use a path like '/' or '/app/ingest'." });
  if (typeof path !== 'string' || !path.startsWith('/')) throw invalid("it must start with '/'");
  if (path.length > defaults.params.maxNameLength) throw invalid(`it is ${path.length} characters long; the limit is ${defaults.params.maxNameLength}`);
  if (!allowedChars.test(path)) throw invalid("only letters, digits, '_', '.', '-' and '/' are allowed");
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (trimmed.includes('//')) throw invalid("a level must not be empty (no '//')");
  const levels = trimmed.split('/').filter((s) => s !== '').length;
  if (levels > defaults.params.maxLevels) throw invalid(`it has ${levels} levels; the limit is ${defaults.params.maxLevels}`);
  return trimmed;
}
