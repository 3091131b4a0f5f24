import { embeddedAccount, embeddedRegion } from '../../../core/region.ts';

/** The region and account every local ARN and event carries (core/region.ts: us-east-1 unless BATON_REGION says otherwise). */
export const localRegion: string = embeddedRegion();
export const localAccount: string = embeddedAccount;
