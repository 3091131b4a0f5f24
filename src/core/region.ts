/**
 * The region and account of embedded runs: every ARN the local backend, the events and the Lambda
 * context build carries them, and a handler's AWS_REGION / AWS_DEFAULT_REGION name the region, as
 * Lambda sets both. A real region name (us-east-1 by default, BATON_REGION to change it), so code
 * that parses an ARN or hands AWS_REGION to an SDK client works as it does on AWS.
 */
import { defaults } from './defaults.ts';
import { ValidationError, show } from './errors.ts';

/** 'us-east-1', 'eu-west-3', 'ap-southeast-2', 'us-gov-west-1', 'cn-north-1'... */
const regionName = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The embedded region: $BATON_REGION when set, else defaults.store.region. */
export function embeddedRegion(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const given = env[defaults.store.regionEnv];
  if (given === undefined || given === '') return defaults.store.region;
  if (!regionName.test(given)) {
    throw new ValidationError(`${defaults.store.regionEnv} is ${show(given)}, which is not a region name.`, { action: `Set it to a region such as us-east-1 or eu-west-1, or unset it for ${defaults.store.region}.` });
  }
  return given;
}

export const embeddedAccount: string = defaults.store.account;

/** arn:aws:<service>:<region>:<account>:<resource>, in the embedded region and account. */
export function embeddedArn(service: string, resource: string, region = embeddedRegion()): string {
  return `arn:aws:${service}:${region}:${embeddedAccount}:${resource}`;
}

/** DynamoDB's stream label: the stream's creation time as ISO 8601 with milliseconds and no zone. */
export function streamLabel(createdAt: number): string {
  return new Date(createdAt).toISOString().slice(0, 23);
}
