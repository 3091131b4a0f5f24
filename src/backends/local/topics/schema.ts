/** SQLite tables of the local topics store. */
export const schema = ``;
