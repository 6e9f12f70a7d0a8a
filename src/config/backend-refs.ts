// Backend names that sample fetch arguments reference (`nbsrv(BE)`), checked once every section is
// read: HAProxy resolves them after parsing (sample.c smp_resolve_args), so a backend may be
// declared after the frontend that names it.
import type { SectionReporter } from './diagnostics.ts';
import type { SourceLoc } from './model.ts';

interface Reference {
  readonly name: string;
  readonly what: string;
  readonly loc: SourceLoc;
  readonly report: SectionReporter;
}

export class BackendReferences {
  readonly #refs: Reference[] = [];

  /** `what`: the argument's place, e.g. "arg 1 of ACL keyword 'nbsrv' in proxy 'fe'". */
  reference(name: string, what: string, loc: SourceLoc, report: SectionReporter): void {
    this.#refs.push({ name, what, loc, report });
  }

  /** Report the names that no proxy with a backend side carries (proxy_be_by_name). */
  check(isBackend: (name: string) => boolean): void {
    for (const r of this.#refs) {
      if (!isBackend(r.name)) r.report.error(r.loc, `unable to find backend '${r.name}' referenced in ${r.what}.`);
    }
  }
}
