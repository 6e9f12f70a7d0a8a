// `http-errors NAME` sections (configuration.txt 3.8) for the whole configuration: their
// `errorfile CODE FILE` lines are read where the section appears; proxies (`errorfiles NAME`) and
// http replies (`deny ... errorfiles NAME`) reference them by name from anywhere, resolved once
// everything is read (HAProxy 2.6 http_htx.c cfg_parse_http_errors, proxy_check_errors).
import { readFileSync } from 'node:fs';
import { ERROR_CODES } from '../http/error-pages.ts';
import type { SectionReporter } from './diagnostics.ts';
import type { ExtraSection, HttpErrorsSection, SourceLoc } from './model.ts';
import { invalidNameChar } from './parse-server.ts';

interface Entry {
  readonly section: HttpErrorsSection & { readonly pages: Map<number, Buffer> };
  defined?: SourceLoc;
}

/** A page a proxy or an http reply wants from a section: a warning when the section lacks it. */
interface Wanted {
  readonly name: string;
  readonly status: number;
  readonly message: string;
  readonly loc: SourceLoc;
  readonly report: SectionReporter;
}

interface Reference {
  readonly name: string;
  readonly message: (name: string) => string;
  readonly loc: SourceLoc;
  readonly report: SectionReporter;
}

/** C atol(): the leading integer of `s`, 0 when none. */
export function atol(s: string): number {
  const m = /^\s*[+-]?\d+/.exec(s);
  return m === null ? 0 : Number(m[0]);
}

/**
 * http_parse_errorfile / http_load_errorfile: the page of `file` for `status`, or the error text
 * (without the keyword, as HAProxy prints it after `KEYWORD : `).
 */
export function loadErrorfile(status: number, file: string): Buffer | { error: string } {
  if (!ERROR_CODES.includes(status)) return { error: `status code '${status}' not handled.` };
  try {
    return readFileSync(file);
  } catch {
    return { error: `error opening file '${file}'.` };
  }
}

export class HttpErrorsRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #refs: Reference[] = [];
  readonly #wanted: Wanted[] = [];

  #entry(name: string): Entry {
    let e = this.#entries.get(name);
    if (!e) this.#entries.set(name, (e = { section: { name, pages: new Map() } }));
    return e;
  }

  /** An `http-errors NAME` section. */
  define(s: ExtraSection, report: SectionReporter): void {
    if (s.name === '') return report.error(s.loc, 'missing name for http-errors section.');
    const bad = invalidNameChar(s.name);
    if (bad !== undefined) report.error(s.loc, `character '${bad}' is not permitted in 'http-errors' name '${s.name}'.`);
    const e = this.#entry(s.name);
    if (e.defined) report.error(s.loc, `http-errors section '${s.name}' already exists (declared at ${e.defined.file}:${e.defined.line}).`);
    e.defined ??= s.loc;
    for (const line of s.lines) {
      const [kw, code, file] = line.args;
      if (kw !== 'errorfile') {
        report.error(line.loc, `unknown keyword '${kw}' in 'http-errors' section`);
        continue;
      }
      if (code === undefined || code === '' || file === undefined || file === '') {
        report.error(line.loc, 'errorfile: expects <status_code> and <file> as arguments.');
        continue;
      }
      const page = loadErrorfile(atol(code), file);
      if (Buffer.isBuffer(page)) e.section.pages.set(atol(code), page);
      else report.error(line.loc, `errorfile : ${page.error}`);
    }
  }

  /** The section named `name`, filled when it is read; an unknown one is reported by checkReferences. */
  reference(name: string, loc: SourceLoc, report: SectionReporter, message: (name: string) => string): HttpErrorsSection {
    this.#refs.push({ name, loc, report, message });
    return this.#entry(name).section;
  }

  /** Warn with `message` once everything is read if section `name` exists without a page for `status`. */
  want(name: string, status: number, loc: SourceLoc, report: SectionReporter, message: string): void {
    this.#wanted.push({ name, status, loc, report, message });
  }

  /**
   * Report references to sections that no `http-errors` section defines, and warn of pages a
   * defined section lacks (proxy_check_errors, http_check_http_reply).
   */
  checkReferences(): void {
    for (const r of this.#refs) if (!this.#entries.get(r.name)?.defined) r.report.error(r.loc, r.message(r.name));
    for (const w of this.#wanted) {
      const e = this.#entries.get(w.name);
      if (e?.defined && !e.section.pages.has(w.status)) w.report.warning(w.loc, w.message);
    }
  }
}
