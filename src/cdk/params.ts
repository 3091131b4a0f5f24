/**
 * params -> SSM parameters under the app's path: String and StringList values as written. A
 * SecureString value is never put in a template (CloudFormation would show it in plain text): the
 * synth notes say how to set each one after deploy.
 */
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { Built } from './built.ts';
import { constructId } from './ids.ts';

export function makeParams(scope: Construct, built: Built): void {
  const group = new Construct(scope, 'Params');
  for (const p of built.props.spec.params) {
    for (const init of p.initial) {
      const id = constructId(init.name);
      const name = built.names.param(init.name);
      if (init.type === 'SecureString') {
        built.note(`param "${name}" is a SecureString: its value is not in the template. After deploy, set it with: aws ssm put-parameter --name '${name}' --type SecureString --value '<value>' (add --key-id <key> for your own KMS key, as BATON_AWS_PARAMS_KEY_ID).`);
        continue;
      }
      const description = init.description !== undefined ? { description: init.description } : {};
      if (init.type === 'StringList') new ssm.StringListParameter(group, id, { parameterName: name, stringListValue: init.value.split(','), ...description });
      else new ssm.StringParameter(group, id, { parameterName: name, stringValue: init.value, ...description });
    }
  }
}
