/**
 * CSV as spreadsheet programs read it (RFC 4180): a UTF-8 byte-order mark so Excel and WPS
 * recognize UTF-8 and show Chinese names, CRLF line ends, and quotes around any field with a
 * comma, quote, line break or edge space, quotes doubled inside.
 */
export type CsvCell = string | number | null;

const bom = '\uFEFF';

function field(cell: CsvCell): string {
  if (cell === null) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : '';
  // A text cell starting like a formula would run as one in a spreadsheet (CSV injection):
  // a leading apostrophe keeps it text. Numbers are written as numbers above.
  const text = /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly CsvCell[]>): string {
  return bom + [header, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}

/** A share as a percentage with one decimal, for a column headed "… (%)"; empty when undefined. */
export function percent(share: number | null): number | null {
  return share === null ? null : Math.round(share * 1000) / 10;
}
