// The seed's input: one CSV export of `rows` transactions x 16 columns, deterministic for a seed,
// with the dirt the seed's cleaning step exists for (padding, control characters, non-breaking and
// zero-width spaces, empty strings), rows the cleaning rejects (a wrong number of fields, an amount
// that is not a number, an unknown currency), and poison rows: clean by the schema, but their
// transaction id is longer than a table key may be (2,048 bytes), so every load of them fails.
export interface GenerateOptions {
  rows: number;
  /** Rows the cleaning step rejects. */
  malformed: number;
  /** Rows that pass cleaning but can never be loaded. */
  poison: number;
  seed?: number;
}

export interface Generated {
  csv: string;
  /** Data rows (the header not counted). */
  rows: number;
  /** Rows that must end processed exactly once. */
  clean: number;
  malformed: number;
  poison: number;
  /** Sum of the clean rows' amounts, in cents, to check nothing was lost or doubled. */
  cleanAmountCents: number;
}

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const header = 'transaction_id,account_id,customer_name,merchant,merchant_category,amount,currency,country,city,card_type,channel,status,created_at,device_id,ip_address,note';
const merchants = ['Lulu Hypermarket', 'Jawad Business Group', 'Alosra', 'Batelco', 'Seef Mall Cinema', 'Costa Coffee', 'Carrefour', 'Zain', 'Gulf Air', 'City Centre Parking'];
const categories = ['groceries', 'telecom', 'travel', 'dining', 'entertainment', 'fuel', 'retail'];
const currencies = ['BHD', 'BHD', 'BHD', 'USD', 'EUR', 'SAR', 'AED'];
const places = [
  ['BH', 'Manama'],
  ['BH', 'Muharraq'],
  ['BH', 'Riffa'],
  ['SA', 'Riyadh'],
  ['AE', 'Dubai'],
];
const cards = ['debit', 'credit', 'prepaid'];
const channels = ['pos', 'pos', 'online', 'atm'];
const statuses = ['approved', 'approved', 'approved', 'declined', 'reversed'];
const firstNames = ['Ali', 'Fatima', 'Mohamed', 'Maryam', 'Hassan', 'Zainab', 'Ahmed', 'Noor'];
const lastNames = ['Al Khalifa', 'Hasan', 'Latfalla', 'Janahi', 'Kanoo', 'Fakhro'];

/** Dirt the cleaning removes; none of it changes the value once cleaned. */
const dirt = [(v: string) => `  ${v} `, (v: string) => `${v}\u0007`, (v: string) => `\u00a0${v}`, (v: string) => `${v}\u200b`, (v: string) => `\t${v}`];

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}

function quoted(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function generateCsv(o: GenerateOptions): Generated {
  const rnd = random(o.seed ?? 4);
  const lines: string[] = [header];
  // Spread the malformed and poison rows through the file, at fixed positions for the seed.
  const special = new Map<number, 'malformed' | 'poison'>();
  while (special.size < o.malformed + o.poison) {
    const at = Math.floor(rnd() * o.rows);
    if (!special.has(at)) special.set(at, special.size < o.malformed ? 'malformed' : 'poison');
  }
  const t0 = Date.UTC(2021, 6, 1);
  let clean = 0;
  let cents = 0;
  for (let i = 0; i < o.rows; i++) {
    const id = `TX${String(i + 1).padStart(8, '0')}`;
    const amountCents = 50 + Math.floor(rnd() * 250_000);
    const [country, city] = pick(rnd, places);
    const fields = [
      id,
      `AC${String(Math.floor(rnd() * 40_000)).padStart(6, '0')}`,
      `${pick(rnd, firstNames)} ${pick(rnd, lastNames)}`,
      pick(rnd, merchants),
      pick(rnd, categories),
      (amountCents / 100).toFixed(2),
      pick(rnd, currencies),
      country!,
      city!,
      pick(rnd, cards),
      pick(rnd, channels),
      pick(rnd, statuses),
      new Date(t0 + Math.floor(rnd() * 15 * 86_400_000)).toISOString().replace(/\.\d+Z$/, 'Z'),
      rnd() < 0.1 ? '' : `dev-${Math.floor(rnd() * 1e6).toString(36)}`,
      rnd() < 0.1 ? '' : `10.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}.${Math.floor(rnd() * 255)}`,
      rnd() < 0.8 ? '' : 'refund requested, see "case" notes',
    ];
    // Dirty about one field in eight.
    for (let f = 1; f < fields.length; f++) if (fields[f] !== '' && rnd() < 0.125) fields[f] = pick(rnd, dirt)(fields[f]!);
    const kind = special.get(i);
    if (kind === 'malformed') {
      const how = i % 3;
      if (how === 0) fields.splice(4, 1); // a field short
      else if (how === 1) fields[5] = 'twelve';
      else fields[6] = 'XXX';
    } else if (kind === 'poison') {
      fields[0] = `${id}-${'9'.repeat(2100)}`;
    } else {
      clean++;
      cents += amountCents;
    }
    lines.push(fields.map(quoted).join(','));
  }
  return { csv: `${lines.join('\n')}\n`, rows: o.rows, clean, malformed: o.malformed, poison: o.poison, cleanAmountCents: cents };
}
