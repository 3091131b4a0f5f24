import type { Template } from 'aws-cdk-lib/assertions';

/** The logical id of the one resource of `type` whose properties include `props`. */
export function resourceOf(template: Template, type: string, props: Record<string, unknown>): string {
  const found = Object.keys(template.findResources(type, { Properties: props }));
  if (found.length !== 1) throw new Error(`expected one ${type} with ${JSON.stringify(props)}, found ${found.length}`);
  return found[0]!;
}

/** The logical id of the IAM policy attached to the role of the function named `functionName`. */
export function policyOf(template: Template, functionName: string): string {
  const fn = template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: functionName } });
  const role = (Object.values(fn)[0] as { Properties: { Role: { 'Fn::GetAtt': [string, string] } } }).Properties.Role['Fn::GetAtt'][0];
  const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([, p]) => JSON.stringify((p as { Properties: { Roles: unknown } }).Properties.Roles) === JSON.stringify([{ Ref: role }]));
  if (policies.length !== 1) throw new Error(`expected one policy for ${functionName}, found ${policies.length}`);
  return policies[0]![0];
}

/** A policy's statements as JSON text (to look for logical ids in). */
export function statementsOf(template: Template, policyId: string): string {
  const policy = template.toJSON() as { Resources: Record<string, { Properties: { PolicyDocument: { Statement: unknown[] } } }> };
  return JSON.stringify(policy.Resources[policyId]!.Properties.PolicyDocument.Statement);
}
