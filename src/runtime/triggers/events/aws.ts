/** The region and account every local ARN carries (the ones local AWS stacks use). */
export const localRegion = 'local';
export const localAccount = '000000000000';
