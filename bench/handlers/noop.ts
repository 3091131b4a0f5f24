/** A no-op handler: what the trigger benchmark measures Baton's own cost with. */
export const handler = async (event: unknown): Promise<unknown> => event;
