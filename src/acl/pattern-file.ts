// Pattern files (`acl ... -f FILE`) and map files (`map(FILE)`) in HAProxy's formats
// (pattern.c pat_ref_read_from_file / pat_ref_read_from_file_smp): `#` lines and empty lines are
// skipped, leading blanks stripped; a pattern is the rest of the line, a map entry is a key
// (first word) and a value (the rest, surrounding blanks stripped). Files are read once at load.
import { readFileSync } from 'node:fs';

export type FileResult<T> = ({ readonly ok: true } & T) | { readonly ok: false; readonly error: string };

function readLines(path: string): string[] | undefined {
  try {
    return readFileSync(path, 'utf8').split('\n');
  } catch {
    return undefined;
  }
}

function stripLeading(line: string): string {
  let i = 0;
  while (line[i] === ' ' || line[i] === '\t') i++;
  return line.slice(i);
}

/** One pattern per line (spaces inside and at the end are part of the pattern). */
export function readPatternFile(path: string): FileResult<{ readonly patterns: string[] }> {
  const lines = readLines(path);
  if (!lines) return { ok: false, error: `failed to open pattern file <${path}>` };
  const patterns: string[] = [];
  for (const raw of lines) {
    if (raw.startsWith('#')) continue;
    const line = stripLeading(raw.replace(/\r.*$/, ''));
    if (line !== '') patterns.push(line);
  }
  return { ok: true, patterns };
}

/** `key value...` per line. */
export function readMapFile(path: string): FileResult<{ readonly keys: string[]; readonly values: string[] }> {
  const lines = readLines(path);
  if (!lines) return { ok: false, error: `failed to open pattern file <${path}>` };
  const keys: string[] = [];
  const values: string[] = [];
  for (const raw of lines) {
    if (raw.startsWith('#')) continue;
    const line = stripLeading(raw.replace(/\r.*$/, ''));
    if (line === '') continue;
    const m = /^(\S+)[ \t]*(.*?)[ \t]*$/.exec(line)!;
    keys.push(m[1]);
    values.push(m[2]);
  }
  return { ok: true, keys, values };
}
