// Collects every configuration problem (none stops the parse) and formats them as
// `FILE:LINE: SECTION 'NAME': message` (STYLE.md "Errors").
import type { ConfigDiagnostic, Severity, SourceLoc } from './model.ts';

/** `listen 'UT'`, `defaults 'tcp'`, `defaults` (anonymous), `global`, `peers 'p'`. */
export function sectionLabel(type: string, name: string | undefined): string {
  return name ? `${type} '${name}'` : type;
}

export function formatDiagnostic(d: ConfigDiagnostic): string {
  const where = d.loc ? `${d.loc.file}:${d.loc.line}: ` : '';
  const section = d.section ? `${d.section}: ` : '';
  return `${where}${section}${d.message}`;
}

export class Diagnostics {
  readonly list: ConfigDiagnostic[] = [];

  add(severity: Severity, loc: SourceLoc | undefined, section: string | undefined, message: string): void {
    this.list.push({ severity, ...(loc ? { loc } : {}), ...(section ? { section } : {}), message });
  }

  error(loc: SourceLoc | undefined, section: string | undefined, message: string): void {
    this.add('error', loc, section, message);
  }

  warning(loc: SourceLoc | undefined, section: string | undefined, message: string): void {
    this.add('warning', loc, section, message);
  }

  get errorCount(): number {
    return this.list.filter((d) => d.severity === 'error').length;
  }
}

/** A sink bound to one section, so keyword parsers only say where (loc) and what (message). */
export class SectionReporter {
  readonly diagnostics: Diagnostics;
  readonly section: string | undefined;

  constructor(diagnostics: Diagnostics, section: string | undefined) {
    this.diagnostics = diagnostics;
    this.section = section;
  }

  error(loc: SourceLoc | undefined, message: string): void {
    this.diagnostics.error(loc, this.section, message);
  }

  warning(loc: SourceLoc | undefined, message: string): void {
    this.diagnostics.warning(loc, this.section, message);
  }
}
