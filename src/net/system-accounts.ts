// User and group names to numeric ids for UNIX socket ownership (`bind ... user haproxy group
// haproxy`, HAProxy configuration.txt 5.1 "user"/"group"). Node has no getpwnam(3), so the
// databases are read from /etc/passwd and /etc/group; numbers are taken as they are.
import { readFileSync } from 'node:fs';

export const PASSWD_FILE = '/etc/passwd';
export const GROUP_FILE = '/etc/group';

/** The id field (3rd) of the line whose first field is `name`, in a colon-separated database. */
export function lookupId(databaseText: string, name: string): number | undefined {
  for (const line of databaseText.split('\n')) {
    const fields = line.split(':');
    if (fields.length >= 3 && fields[0] === name) {
      const id = Number(fields[2]);
      return Number.isInteger(id) && id >= 0 ? id : undefined;
    }
  }
  return undefined;
}

/** A numeric id or a name looked up in `file`; undefined when the name is unknown. */
export function resolveAccount(nameOrId: string, file: string): number | undefined {
  if (/^\d+$/.test(nameOrId)) return Number(nameOrId);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return lookupId(text, nameOrId);
}

export function resolveUser(nameOrId: string): number | undefined {
  return resolveAccount(nameOrId, PASSWD_FILE);
}

export function resolveGroup(nameOrId: string): number | undefined {
  return resolveAccount(nameOrId, GROUP_FILE);
}
