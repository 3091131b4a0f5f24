// A page of elements as an XML document (the seed's API consumers wanted JSON and XML files).
const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
const escape = (s: string) => s.replace(/[&<>"']/g, (c) => escapes[c]!);

export function pageToXml(page: { total: number; offset: number; items: ReadonlyArray<Record<string, string | number>> }): string {
  const items = page.items.map((item) => `  <element>\n${Object.entries(item).map(([k, v]) => `    <${k}>${escape(String(v))}</${k}>`).join('\n')}\n  </element>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<elements total="${page.total}" offset="${page.offset}" count="${page.items.length}">\n${items.join('\n')}\n</elements>\n`;
}
