/**
 * The one place where AWS SDK failures become Baton's typed errors, worded as the local backend
 * words them, so a user sees the same error on SQLite and on AWS. Stores call `translate` in a
 * catch around every SDK call and rethrow what it returns.
 */
import { AccessDeniedError, BatonError, ConditionFailedError, NotFoundError, StaleReceiptError, StoreError, ThrottledError, TooLargeError, ValidationError } from '../../core/errors.ts';
import type { AwsService } from './options.ts';

/** What the failed call was about, for the message. */
export interface CallContext {
  service: AwsService;
  /** The operation in Baton's words: 'send', 'put', 'query', ... */
  op: string;
  /** 'queue "ingest"', 'object "uploads/a.json"', ... */
  resource?: string;
  /** Where the endpoint is, when not AWS itself (for "does not answer" errors). */
  endpoint?: string;
}

const throttling = new Set(['ThrottlingException', 'Throttling', 'ThrottledException', 'TooManyRequestsException', 'RequestThrottled', 'RequestThrottledException', 'SlowDown', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'TooManyUpdates', 'LimitExceededException', 'PurgeQueueInProgress', 'AWS.SimpleQueueService.PurgeQueueInProgress']);
const denied = new Set(['AccessDenied', 'AccessDeniedException', 'AuthorizationError', 'UnrecognizedClientException', 'InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken', 'ExpiredTokenException', 'InvalidAccessKeyId', 'MissingAuthenticationToken', 'IncompleteSignature']);
const missing = new Set(['NoSuchBucket', 'NoSuchKey', 'NotFound', 'ResourceNotFoundException', 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'ParameterNotFound', 'ParameterVersionNotFound', 'NotFoundException']);
const invalid = new Set(['ValidationException', 'InvalidParameterValue', 'InvalidParameterValueException', 'InvalidParameter', 'InvalidParameterException', 'InvalidAttributeValue', 'InvalidRequest', 'InvalidArgument', 'InvalidKeyPrefixFilter', 'HierarchyLevelLimitExceededException', 'HierarchyTypeMismatchException', 'UnsupportedParameterType', 'InvalidBatchEntryId', 'BatchEntryIdsNotDistinct', 'EmptyBatchRequest', 'TooManyEntriesInBatchRequest', 'InvalidMessageContents', 'InvalidKeyId', 'ParameterPatternMismatchException', 'InvalidNextToken']);
const tooLarge = new Set(['EntityTooLarge', 'MessageTooLong', 'BatchRequestTooLong', 'ItemCollectionSizeLimitExceededException', 'KeyTooLongError']);
const unreachable = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'TimeoutError']);

function nameOf(err: unknown): string {
  if (typeof err !== 'object' || err === null) return '';
  const e = err as { name?: unknown; code?: unknown; Code?: unknown };
  for (const v of [e.code, e.Code, e.name]) if (typeof v === 'string' && v !== 'Error') return v;
  return '';
}

/** The network-level code of an error or its cause (ECONNREFUSED, ...), if any. */
function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && unreachable.has(code)) return code;
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors)) for (const inner of errors) {
      const c = (inner as { code?: unknown }).code;
      if (typeof c === 'string' && unreachable.has(c)) return c;
    }
  }
  return undefined;
}

/** A DynamoDB transaction cancelled because one of its conditions did not hold. */
function cancelledByCondition(name: string, err: unknown): boolean {
  if (name !== 'TransactionCanceledException') return false;
  const reasons = (err as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons;
  return Array.isArray(reasons) && reasons.some((r) => r.Code === 'ConditionalCheckFailed');
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Turns any SDK failure into a Baton error; a Baton error passes through unchanged. */
export function translate(err: unknown, ctx: CallContext): BatonError {
  if (err instanceof BatonError) return err;
  const name = nameOf(err);
  const about = ctx.resource ? ` ${ctx.resource}` : '';
  const what = `${ctx.service} ${ctx.op}${about}`;
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(messageOf(err))) {
    return new AccessDeniedError('no AWS credentials found.', { action: 'Set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an instance or task role applies (for an emulator any non-empty pair will do).', cause: err });
  }
  if (name === 'ConditionalCheckFailedException' || name === 'PreconditionFailed' || name === 'ParameterAlreadyExists' || name === 'TransactionConflictException' || cancelledByCondition(name, err)) {
    return new ConditionFailedError(`the condition of the ${ctx.op}${about} did not hold.`, { action: 'Read the current value and try again, or drop the condition.', cause: err });
  }
  if (name === 'ReceiptHandleIsInvalid' || name === 'InvalidReceiptHandle' || name === 'AWS.SimpleQueueService.ReceiptHandleIsInvalid' || name === 'MessageNotInflight' || name === 'AWS.SimpleQueueService.MessageNotInflight') {
    return new StaleReceiptError(`the receipt handle for${about} is no longer valid: the message was deleted, or another receive owns it now.`, { action: 'Receive the message again; only the newest receipt may delete or extend it.', cause: err });
  }
  if (missing.has(name)) {
    return new NotFoundError(`${ctx.resource ?? 'the resource'} does not exist (${ctx.service} ${ctx.op}: ${name}).`, { action: 'Declare it in baton.config.ts and run `baton provision --backend aws`, or check BATON_AWS_PREFIX and the region.', cause: err });
  }
  if (throttling.has(name)) {
    return new ThrottledError(`${what} was throttled by AWS (${name}).`, { action: 'Retry after a pause, lower the trigger concurrency, or raise the service quota.', cause: err });
  }
  if (denied.has(name)) {
    return new AccessDeniedError(`${what} was denied (${name}): ${messageOf(err)}`, { action: 'Check the credentials in use (AWS_PROFILE, AWS_ACCESS_KEY_ID) and that their policy allows this action on this resource.', cause: err });
  }
  if (name === 'ValidationException' && /item size/i.test(messageOf(err))) return new TooLargeError(`${what} is too large: a DynamoDB item holds at most 400 KB (${messageOf(err)}).`, { cause: err });
  if (tooLarge.has(name)) return new TooLargeError(`${what} is too large: ${messageOf(err)}`, { cause: err });
  if (invalid.has(name)) return new ValidationError(`${what} was refused as invalid: ${messageOf(err)}`, { cause: err });
  const net = networkCode(err);
  if (net) {
    const where = ctx.endpoint ?? `the ${ctx.service} endpoint`;
    return new StoreError(`${where} does not answer (${net}) for ${what}.`, { action: 'Start the emulator or service there, or fix AWS_ENDPOINT_URL / --endpoint and AWS_REGION.', cause: err });
  }
  return new StoreError(`${what} failed: ${name ? `${name}: ` : ''}${messageOf(err)}`, { cause: err });
}

/** Runs one SDK call, translating its failure. */
export async function call<T>(ctx: CallContext, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw translate(err, ctx);
  }
}
