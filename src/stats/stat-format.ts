// Output formats of `show stat` / `show info` (HAProxy management.txt 9.1 CSV, 9.3 "typed" and
// "json"): one CSV line per row with a trailing comma, one typed line per present field, or a
// JSON array of field objects with decoded tags.
import { FIELD_TAGS, HTTP_FIELD_TAGS, STAT_FIELDS } from './stat-fields.ts';
import type { StatRow } from './stat-rows.ts';

export type StatValue = string | number;

const ORIGIN: Readonly<Record<string, string>> = { M: 'Metric', S: 'Status', K: 'Key', C: 'Config', P: 'Product' };
const NATURE: Readonly<Record<string, string>> = {
  A: 'Age',
  a: 'Avg',
  C: 'Counter',
  D: 'Duration',
  G: 'Gauge',
  L: 'Limit',
  M: 'Max',
  N: 'Name',
  O: 'Output',
  R: 'Rate',
  T: 'Time',
};
const SCOPE: Readonly<Record<string, string>> = { C: 'Cluster', P: 'Process', S: 'Service', s: 'System' };
const OBJ_NAME: Readonly<Record<string, string>> = { F: 'Frontend', B: 'Backend', S: 'Server' };

/** "MGP" → { origin: 'Metric', nature: 'Gauge', scope: 'Process' }. */
export function decodeTags(tags: string): { origin: string; nature: string; scope: string } {
  return { origin: ORIGIN[tags[0]] ?? '', nature: NATURE[tags[1]] ?? '', scope: SCOPE[tags[2]] ?? '' };
}

export function jsonValue(type: string, value: StatValue): { type: string; value: StatValue } {
  return { type, value: type === 'str' ? String(value) : Number(value) };
}

/** CSV fields may not hold commas or line breaks (stats.c csv_enc would quote them). */
function csvCell(v: StatValue | undefined): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(): string {
  return `# ${STAT_FIELDS.join(',')},\n`;
}

export function csvRow(row: StatRow): string {
  let out = '';
  for (const f of STAT_FIELDS) out += `${csvCell(row.values.get(f))},`;
  return `${out}\n`;
}

function tagOf(row: StatRow, name: string): string {
  return FIELD_TAGS[row.obj][name] ?? HTTP_FIELD_TAGS[row.obj][name] ?? (typeof row.values.get(name) === 'number' ? 'MGP:u32' : 'MOP:str');
}

/** Field positions of `typed` and `json`: the CSV's "-" separator is not a field. */
const POSITIONED: readonly string[] = STAT_FIELDS.filter((f) => f !== '-');

export function typedRow(row: StatRow): string {
  let out = '';
  POSITIONED.forEach((name, pos) => {
    const v = row.values.get(name);
    if (v === undefined) return;
    out += `${row.obj}.${row.proxyId}.${row.sid}.${pos}.${name}.1:${tagOf(row, name)}:${v}\n`;
  });
  return out;
}

export function jsonRow(row: StatRow): string {
  const items: string[] = [];
  POSITIONED.forEach((name, pos) => {
    const v = row.values.get(name);
    if (v === undefined) return;
    const [tags, type] = tagOf(row, name).split(':');
    items.push(
      JSON.stringify({
        objType: OBJ_NAME[row.obj],
        proxyId: row.proxyId,
        id: row.sid,
        field: { pos, name },
        processNum: 1,
        tags: decodeTags(tags),
        value: jsonValue(type, v),
      }),
    );
  });
  return `[${items.join(',')}]`;
}
