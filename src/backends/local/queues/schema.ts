/** SQLite tables of the local queues store. */
export const schema = ``;
