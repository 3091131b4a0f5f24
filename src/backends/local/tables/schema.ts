/** SQLite tables of the local tables store. */
export const schema = ``;
