// HMAC-SHA256 keys for heartbeats, with key ids for make-before-break rotation (the model is
// keepalived 2.4 `auth_hmac`, reference/ha.md §5.2). Key file format, one key a line:
//     ID HEX            # ID 1..255, HEX = 32..64 bytes as hex; `#` starts a comment
// The first key signs outgoing adverts; every listed key is accepted. Rotation: add the new key
// as a second line on both nodes, then move it first on both, then drop the old one.
import { readFile, stat } from 'node:fs/promises';

export const MIN_KEY_BYTES = 32;
export const MAX_KEY_BYTES = 64;

export interface KeyRing {
  /** Key id used to sign. */
  readonly sendId: number;
  readonly keys: ReadonlyMap<number, Buffer>;
}

export interface KeyFileResult {
  readonly ring?: KeyRing;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

export function parseKeyFile(text: string, file: string): KeyFileResult {
  const errors: string[] = [];
  const keys = new Map<number, Buffer>();
  let sendId: number | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const where = `${file}:${i + 1}`;
    const [idText, hex, ...extra] = line.split(/\s+/);
    const id = Number(idText);
    if (!/^\d+$/.test(idText) || id < 1 || id > 255) return void errors.push(`${where}: key id must be 1..255`);
    if (hex === undefined || extra.length > 0) return void errors.push(`${where}: expected 'ID HEXKEY'`);
    if (!/^([0-9a-fA-F]{2})+$/.test(hex)) return void errors.push(`${where}: key ${id} is not hex`);
    const key = Buffer.from(hex, 'hex');
    if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
      return void errors.push(`${where}: key ${id} must be ${MIN_KEY_BYTES}..${MAX_KEY_BYTES} bytes, got ${key.length}`);
    }
    if (keys.has(id)) return void errors.push(`${where}: duplicate key id ${id}`);
    keys.set(id, key);
    sendId ??= id;
  });
  if (errors.length === 0 && sendId === undefined) errors.push(`${file}: no key`);
  if (errors.length > 0 || sendId === undefined) return { errors, warnings: [] };
  return { ring: { sendId, keys }, errors, warnings: [] };
}

/** Read and parse a key file; warns when group or others may read it. */
export async function loadKeyFile(file: string): Promise<KeyFileResult> {
  let text: string;
  let mode: number;
  try {
    [text, mode] = await Promise.all([readFile(file, 'utf8'), stat(file).then((s) => s.mode)]);
  } catch (err) {
    return { errors: [`${file}: cannot read key file: ${(err as Error).message}`], warnings: [] };
  }
  const parsed = parseKeyFile(text, file);
  const warnings = (mode & 0o077) !== 0 ? [`${file}: key file is readable by group or others (chmod 600)`] : [];
  return { ...parsed, warnings };
}
