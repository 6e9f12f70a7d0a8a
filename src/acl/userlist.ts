// `userlist` sections (configuration.txt 3.4) and HTTP Basic authentication against them
// (`http_auth(list)`, `http-request auth`). Passwords: `insecure-password` in clear, or
// `password` with a $5$/$6$ crypt(3) hash (sha-crypt.ts); verified results are cached because
// SHA-crypt costs 5000 hash rounds per check.
import type { SectionReporter } from '../config/diagnostics.ts';
import type { ConfigLine, ExtraSection } from '../config/model.ts';
import { sameName } from './header-fields.ts';
import type { HeaderFields } from './sample.ts';
import { parseShaCrypt, verifyShaCrypt } from './sha-crypt.ts';

export interface UserEntry {
  readonly name: string;
  /** Clear text (`insecure-password`) or a crypt hash (`password`); undefined: no password, never matches. */
  readonly password: string | undefined;
  readonly insecure: boolean;
  readonly groups: Set<string>;
}

export interface Userlist {
  readonly name: string;
  readonly users: Map<string, UserEntry>;
  readonly groups: Set<string>;
}

const CACHE_MAX = 1024;
/** Authorization value → verified? (per userlist object). */
const verified = new WeakMap<Userlist, Map<string, boolean>>();

function checkPassword(list: Userlist, user: string, pass: string): boolean {
  const u = list.users.get(user);
  if (!u || u.password === undefined) return false;
  return u.insecure ? u.password === pass : verifyShaCrypt(pass, u.password);
}

/** `Authorization: Basic base64(user:pass)` checked against `list`. */
export function checkBasicAuth(h: HeaderFields, list: Userlist): boolean {
  let auth: string | undefined;
  for (let i = 0; i < h.length && auth === undefined; i++) if (sameName(h.nameAt(i), 'authorization')) auth = h.valueAt(i);
  if (auth === undefined || auth.length < 7 || auth.slice(0, 6).toLowerCase() !== 'basic ') return false;
  let cache = verified.get(list);
  if (!cache) verified.set(list, (cache = new Map()));
  const hit = cache.get(auth);
  if (hit !== undefined) return hit;
  const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const ok = colon > 0 && checkPassword(list, decoded.slice(0, colon), decoded.slice(colon + 1));
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(auth, ok);
  return ok;
}

function userLine(list: Userlist, line: ConfigLine, report: SectionReporter, pending: Map<string, ConfigLine>): void {
  const [, name, ...rest] = line.args;
  if (name === undefined) return report.error(line.loc, "'user' expects <user_name> as arguments.");
  if (list.users.has(name)) return report.warning(line.loc, `ignoring duplicated user '${name}' in userlist '${list.name}'.`);
  let password: string | undefined;
  let insecure = false;
  const groups = new Set<string>();
  for (let i = 0; i < rest.length; i += 2) {
    const [kw, value] = [rest[i], rest[i + 1]];
    if ((kw !== 'password' && kw !== 'insecure-password' && kw !== 'groups') || value === undefined) {
      return report.error(line.loc, "'user' only supports 'password', 'insecure-password' and 'groups' options.");
    }
    if (kw === 'groups') {
      for (const g of value.split(',')) if (g) groups.add(g);
    } else {
      password = value;
      insecure = kw === 'insecure-password';
    }
  }
  if (password !== undefined && !insecure && !parseShaCrypt(password)) {
    return report.error(line.loc, `the password of user '${name}' is not a $5$ (SHA-256) or $6$ (SHA-512) crypt hash; ` +
      "other crypt(3) schemes are not supported yet (use 'mkpasswd -m sha-512' or 'insecure-password')");
  }
  list.users.set(name, { name, password, insecure, groups });
  if (groups.size > 0) pending.set(name, line);
}

/** Parse one `userlist NAME` section; errors and warnings as HAProxy's cfgparse.c cfg_parse_users. */
export function parseUserlist(section: ExtraSection, report: SectionReporter, into?: Userlist): Userlist {
  const list: Userlist = into ?? { name: section.name, users: new Map(), groups: new Set() };
  const groupMembers = new Map<string, string[]>();
  const userGroups = new Map<string, ConfigLine>();
  if (!section.name) report.error(section.loc, "'userlist' expects <name> as argument.");
  for (const line of section.lines) {
    const kw = line.args[0];
    if (kw === 'user') userLine(list, line, report, userGroups);
    else if (kw === 'group') {
      const [, g, usersKw, users] = line.args;
      if (g === undefined) report.error(line.loc, "'group' expects <group_name> as arguments.");
      else if (list.groups.has(g)) report.warning(line.loc, `ignoring duplicated group '${g}' in userlist '${list.name}'.`);
      else if (usersKw !== undefined && (usersKw !== 'users' || users === undefined)) report.error(line.loc, "'group' only supports 'users' option.");
      else {
        list.groups.add(g);
        groupMembers.set(g, users ? users.split(',').filter(Boolean) : []);
      }
    } else report.error(line.loc, `unknown keyword '${kw}' in 'users' section`);
  }
  for (const [name] of userGroups) {
    for (const g of list.users.get(name)!.groups) {
      if (!list.groups.has(g)) report.error(undefined, `no such group '${g}' specified in user '${name}'`);
    }
  }
  for (const [g, members] of groupMembers) {
    for (const u of members) {
      const user = list.users.get(u);
      if (!user) report.error(undefined, `no such user '${u}' specified in group '${g}'`);
      else user.groups.add(g);
    }
  }
  return list;
}
