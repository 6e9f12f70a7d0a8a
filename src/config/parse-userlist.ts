// `userlist` sections (configuration.txt 3.4) for the whole configuration: parsed where they
// appear, referenced from ACLs (`http_auth(L)`) anywhere, resolved once everything is read
// (HAProxy resolves userlist arguments after parsing, so a userlist may follow its users).
import { parseUserlist, type Userlist } from '../acl/userlist.ts';
import type { SectionReporter } from './diagnostics.ts';
import type { ExtraSection, SourceLoc } from './model.ts';

interface Entry {
  readonly list: Userlist;
  defined: boolean;
}

interface Reference {
  readonly name: string;
  readonly what: string;
  readonly loc: SourceLoc;
  readonly report: SectionReporter;
}

export class UserlistRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #refs: Reference[] = [];

  #entry(name: string): Entry {
    let e = this.#entries.get(name);
    if (!e) this.#entries.set(name, (e = { list: { name, users: new Map(), groups: new Set() }, defined: false }));
    return e;
  }

  /** A `userlist NAME` section. */
  define(section: ExtraSection, report: SectionReporter): void {
    const e = this.#entry(section.name);
    if (e.defined) report.error(section.loc, `sections 'userlist' and 'userlist' have the same name '${section.name}'`);
    e.defined = true;
    parseUserlist(section, report, e.list);
  }

  /** The list named `name`, filled when its section is parsed; checked by `checkReferences`. */
  reference(name: string, what: string, loc: SourceLoc, report: SectionReporter): Userlist {
    this.#refs.push({ name, what, loc, report });
    return this.#entry(name).list;
  }

  /** Report references to userlists that no section defines. */
  checkReferences(): void {
    for (const r of this.#refs) {
      if (!this.#entries.get(r.name)?.defined) r.report.error(r.loc, `unable to find userlist '${r.name}' referenced in ${r.what}`);
    }
  }

  get(name: string): Userlist | undefined {
    const e = this.#entries.get(name);
    return e?.defined ? e.list : undefined;
  }
}
