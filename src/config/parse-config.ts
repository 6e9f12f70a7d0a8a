// The pipeline: sources → sections (lexed, with file:line) → per-section parsers in declaration
// order → whole-config checks → frozen model. Proxy sections take their initial settings from the
// last defaults section seen before them, or the one named with `from` (cfgparse-listen.c).
import { Diagnostics, SectionReporter } from './diagnostics.ts';
import type { ConfigSource } from './files.ts';
import { SECTION_INDEX } from './keywords/sections.ts';
import type { Env } from './lexer.ts';
import type { ConfigDiagnostic, ExtraSection, HapairConfig, ProxyKind } from './model.ts';
import { newGlobalDraft, parseGlobalLine, type GlobalDraft } from './parse-global.ts';
import { parseProxyLine, type ProxyParseContext } from './parse-proxy.ts';
import { invalidNameChar } from './parse-server.ts';
import { hasBackendCap, hasFrontendCap, newDraft, type DraftKind, type ProxyDraft } from './proxy-draft.ts';
import { rawSectionLabel, readSections, type RawSection } from './section-reader.ts';
import { registeredSection } from './section-registry.ts';
import { UserlistRegistry } from './parse-userlist.ts';
import { HttpErrorsRegistry } from './parse-http-errors.ts';
import { BackendReferences } from './backend-refs.ts';
import { finalizeConfig } from './validate.ts';

export interface ParseOptions {
  /** Environment for `"${VAR}"` expansion; defaults to process.env. Not modified. */
  readonly env?: Record<string, string | undefined>;
  /** Value of a bare `log-send-hostname`; defaults to the system hostname. */
  readonly hostname?: string;
}

export interface ParseResult {
  /** Undefined when any error was found. */
  readonly config?: HapairConfig;
  readonly diagnostics: ConfigDiagnostic[];
}

type Proxy = ProxyDraft & { readonly kind: ProxyKind };

class ConfigBuilder {
  readonly diag = new Diagnostics();
  readonly env: Env;
  readonly hostname: string | undefined;
  readonly global: GlobalDraft = newGlobalDraft();
  readonly proxies: Proxy[] = [];
  readonly defaults: ProxyDraft[] = [];
  readonly extraSections: ExtraSection[] = [];
  readonly #extraReports: SectionReporter[] = [];
  /** The defaults a proxy without `from` uses: the last defaults section (HAProxy last_defproxy). */
  #lastDefaults: ProxyDraft | undefined;
  readonly #usedIds = new Map<number, ProxyDraft>();
  readonly #userlists = new UserlistRegistry();
  readonly #httpErrors = new HttpErrorsRegistry();
  readonly #backendRefs = new BackendReferences();

  constructor(opts: ParseOptions) {
    this.env = { ...(opts.env ?? process.env) };
    this.hostname = opts.hostname;
  }

  addSection(s: RawSection): void {
    const label = rawSectionLabel(s.type, s.args);
    const report = new SectionReporter(this.diag, label);
    if (s.type === 'global') return this.#global(s, report);
    if (s.type === 'defaults') return this.#defaults(s, report);
    if (s.type === 'frontend' || s.type === 'backend' || s.type === 'listen') return this.#proxy(s, s.type, report);
    if (s.type === 'userlist') return this.#userlists.define({ type: s.type, name: s.args[0] ?? '', args: s.args.slice(1), lines: s.lines, loc: s.loc }, report);
    if (s.type === 'http-errors') return this.#httpErrors.define({ type: s.type, name: s.args[0] ?? '', args: s.args.slice(1), lines: s.lines, loc: s.loc }, report);
    if (registeredSection(s.type)) {
      this.extraSections.push({ type: s.type, name: s.args[0] ?? '', args: s.args.slice(1), lines: s.lines, loc: s.loc });
      this.#extraReports.push(report);
      return;
    }
    const planned = SECTION_INDEX.get(s.type);
    report.error(s.loc, `section '${s.type}' is not supported yet${planned ? ` (${planned.note})` : ''}`);
  }

  #global(s: RawSection, report: SectionReporter): void {
    if (s.args.length > 0) report.error(s.loc, `'global' cannot handle unexpected argument '${s.args[0]}'`);
    this.global.loc ??= s.loc;
    const ctx = { env: this.env, report, proxiesSoFar: this.proxies.length, hostname: this.hostname };
    for (const line of s.lines) parseGlobalLine(this.global, line, ctx);
  }

  #proxyContext(): ProxyParseContext {
    return { env: this.env, globalLogs: () => this.global.logs, usedIds: this.#usedIds, userlists: this.#userlists, httpErrors: this.#httpErrors, backendRefs: this.#backendRefs };
  }

  #parseLines(d: ProxyDraft, s: RawSection): void {
    const ctx = this.#proxyContext();
    for (const line of s.lines) parseProxyLine(d, line, ctx);
  }

  /** `defaults [NAME] [from NAME]`: starts from HAProxy's built-in defaults unless `from` is given. */
  #defaults(s: RawSection, report: SectionReporter): void {
    const a = s.args;
    const anonymousFrom = a[0] === 'from' && a.length === 2;
    const name = anonymousFrom ? '' : (a[0] ?? '');
    const rest = anonymousFrom ? a : a.slice(1);
    const from = this.#fromClause(rest, 'defaults', name, s, report);
    const d = newDraft('defaults', name, s.loc, report, from === 'error' ? undefined : from);
    this.#parseLines(d, s);
    this.defaults.push(d);
    this.#lastDefaults = d;
  }

  #proxy(s: RawSection, kind: ProxyKind, report: SectionReporter): void {
    const [name] = s.args;
    if (name === undefined) return report.error(s.loc, `'${kind}' expects an <id> argument`);
    const bad = invalidNameChar(name);
    if (bad !== undefined) report.error(s.loc, `character '${bad}' is not permitted in '${kind}' name '${name}'`);
    this.#checkDuplicate(kind, name, s, report);
    let from = this.#fromClause(s.args.slice(1), kind, name, s, report);
    if (from === undefined && this.#lastDefaults) {
      from = this.#lastDefaults;
      from.implicitRef = true;
      if (from.explicitRef) {
        report.warning(s.loc, `defaults section '${from.name}' (declared at ${from.loc.file}:${from.loc.line}) is explicitly referenced ` +
          'by another proxy and implicitly used here; to avoid any ambiguity, do not mix both usages');
      }
    }
    const d = newDraft(kind, name, s.loc, report, from === 'error' ? undefined : from) as Proxy;
    this.proxies.push(d);
    this.#parseLines(d, s);
  }

  /** `from NAME` after the section name: the named defaults, undefined without `from`, 'error' if invalid. */
  #fromClause(rest: readonly string[], kind: DraftKind, name: string, s: RawSection, report: SectionReporter): ProxyDraft | undefined | 'error' {
    if (rest.length === 0) return undefined;
    if (rest[0] === 'from' && rest.length === 1) {
      report.error(s.loc, "'from' expects the name of a defaults section");
      return 'error';
    }
    if (rest[0] !== 'from' || rest.length !== 2) {
      const hint = hasFrontendCap(kind) && kind !== 'defaults' ? "; please use the 'bind' keyword for listening addresses" : '';
      report.error(s.loc, `'${kind}${name ? ` ${name}` : ''}' cannot handle unexpected argument '${rest[rest[0] === 'from' ? 2 : 0]}'${hint}`);
      return 'error';
    }
    const wanted = rest[1];
    const found = this.defaults.filter((d) => d.name === wanted);
    const what = `${kind}${name ? ` '${name}'` : ''}`;
    if (found.length === 0) {
      report.error(s.loc, `defaults section '${wanted}' not found for ${what}`);
      return 'error';
    }
    if (found.length > 1) {
      const [x, y] = found;
      report.error(s.loc, `ambiguous defaults section name '${wanted}' referenced by ${what} exists at least at ${x.loc.file}:${x.loc.line} and ${y.loc.file}:${y.loc.line}`);
    }
    const bad = invalidNameChar(wanted);
    if (bad !== undefined) report.error(s.loc, `character '${bad}' is not permitted in defaults section name '${wanted}' when designated by its name`);
    const target = found[found.length - 1];
    target.explicitRef = true;
    if (target.implicitRef) {
      report.warning(s.loc, `defaults section '${wanted}' (declared at ${target.loc.file}:${target.loc.line}) is explicitly referenced here ` +
        'and implicitly used by another proxy; to avoid any ambiguity, do not mix both usages');
    }
    return target;
  }

  /** Two proxies with a common capability (frontend or backend side) may not share a name. */
  #checkDuplicate(kind: ProxyKind, name: string, s: RawSection, report: SectionReporter): void {
    const other = this.proxies.find((p) => p.name === name &&
      ((hasFrontendCap(kind) && hasFrontendCap(p.kind)) || (hasBackendCap(kind) && hasBackendCap(p.kind))));
    if (other) report.error(s.loc, `${kind} '${name}' has the same name as ${other.kind} '${other.name}' declared at ${other.loc.file}:${other.loc.line}`);
  }

  finish(files: readonly string[]): ParseResult {
    this.extraSections.forEach((section, i) => registeredSection(section.type)?.parse?.(section, this.#extraReports[i]));
    this.#userlists.checkReferences();
    this.#httpErrors.checkReferences();
    this.#backendRefs.check((name) => this.proxies.some((p) => p.name === name && hasBackendCap(p.kind)));
    const config = finalizeConfig({
      files, global: this.global, proxies: this.proxies, extraSections: this.extraSections, diagnostics: this.diag,
    });
    return { ...(config ? { config } : {}), diagnostics: this.diag.list };
  }
}

/** Parse already-read sources (in order) into the model, with every diagnostic. */
export function parseSources(sources: readonly ConfigSource[], opts: ParseOptions, preDiagnostics: readonly ConfigDiagnostic[] = []): ParseResult {
  const b = new ConfigBuilder(opts);
  b.diag.list.push(...preDiagnostics);
  for (const { file, text } of sources) {
    for (const section of readSections(text, file, b.env, b.diag)) b.addSection(section);
  }
  return b.finish(sources.map((s) => s.file));
}
