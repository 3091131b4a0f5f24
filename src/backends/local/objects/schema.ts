/** SQLite tables of the local objects store. */
export const schema = ``;
