/** A construct id from an app name ('/' is the one character construct ids cannot hold). */
export function constructId(name: string): string {
  return name.replace(/\//g, '|');
}
