/** SQLite tables of the local params store. */
export const schema = ``;
