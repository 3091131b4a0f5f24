import { describe, expect, it } from 'vitest';
import { app, fn, table } from '../../src/index.ts';

describe("fn's uses option", () => {
  it('resolves kind:name references, and app() keeps them', () => {
    const spec = app('a', [table('orders', { partitionKey: 'id' }), fn('f', './f.ts', { uses: ['table:orders'] })]);
    expect(spec.fns[0]!.uses).toEqual([{ kind: 'table', name: 'orders' }]);
  });

  it('refuses an unknown kind with the field and the accepted form', () => {
    expect(() => fn('f', './f.ts', { uses: ['tabel:orders'] })).toThrow(/fn "f" is invalid: field "uses.0" = "tabel:orders": expected '<kind>:<name>'/);
  });

  it('refuses a name the app does not declare, naming the declared ones', () => {
    expect(() => app('a', [table('orders', { partitionKey: 'id' }), fn('f', './f.ts', { uses: ['table:order'] })])).toThrow(
      /fn "f": field "uses.0" names table "order", which is not declared \(declared tables: "orders"\)/,
    );
  });
});
