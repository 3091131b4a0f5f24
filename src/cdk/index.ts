/**
 * `baton/cdk`: deploy a Baton app on AWS with the CDK (aws-cdk-lib and constructs are optional
 * peer dependencies: install them to use this entry).
 */
export { BatonApp } from './app.ts';
export type { BatonAppProps, LambdaRuntime, MapDeployment } from './props.ts';
export { synthesize, stackNameOf, type SynthOptions, type SynthResult } from './synth.ts';
export { deployProblems } from './checks.ts';

import { releaseBundles } from './bundle.ts';
import { releaseDuckdbLayer } from './duckdb-layer.ts';

/** Removes the temporary bundle and layer folders of this process (also done when it exits). */
export function releaseStaging(): void {
  releaseBundles();
  releaseDuckdbLayer();
}
