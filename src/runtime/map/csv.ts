/**
 * A small CSV row splitter (RFC 4180: quoted fields, doubled quotes, commas inside quotes) for
 * map sources read line by line. A quoted field spanning lines is not supported: the row's line
 * number is named in the error. Bulk CSV work belongs in the data plane (DuckDB); this only feeds
 * rows to a map.
 */
import { ValidationError } from '../../core/errors.ts';

export function splitCsvLine(line: string, where: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new ValidationError(`${where}: a quoted field is not closed on this line.`, { action: 'Fields with line breaks are not supported by map; convert the file to JSON lines first.' });
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      out.push(value);
    } else {
      const c = line.indexOf(',', i);
      out.push(c < 0 ? line.slice(i) : line.slice(i, c));
      i = c < 0 ? line.length : c;
    }
    if (i >= line.length) return out;
    if (line[i] !== ',') throw new ValidationError(`${where}: expected a comma after a quoted field.`);
    i++;
    if (i === line.length) return (out.push(''), out);
  }
}
