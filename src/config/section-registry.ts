// Sections beyond global/defaults/frontend/backend/listen (keepalive, peers, userlist ...) are owned by
// later issues: each registers its section type here with its own parser. An unregistered section
// is refused at its header; a registered one ends up in HapairConfig.extraSections.
import type { SectionReporter } from './diagnostics.ts';
import { BUILTIN_SECTIONS } from './keywords/sections.ts';
import type { ExtraSection } from './model.ts';

export interface SectionParser {
  /**
   * Called once per section of this type, in declaration order, after global and proxies are parsed.
   * Report problems through `report` (an error makes the whole configuration invalid).
   */
  readonly parse?: (section: ExtraSection, report: SectionReporter) => void;
}

const registry = new Map<string, SectionParser>();

/** Accept `type` as a section keyword. Returns a function that unregisters it (for tests). */
export function registerSection(type: string, parser: SectionParser = {}): () => void {
  if (BUILTIN_SECTIONS.has(type)) throw new Error(`section '${type}' is built in and cannot be registered`);
  if (!/^[a-z][a-z0-9_.-]*$/.test(type)) throw new Error(`invalid section type '${type}'`);
  if (registry.has(type)) throw new Error(`section '${type}' is already registered`);
  registry.set(type, parser);
  return () => {
    if (registry.get(type) === parser) registry.delete(type);
  };
}

export function registeredSection(type: string): SectionParser | undefined {
  return registry.get(type);
}

export function registeredSectionTypes(): string[] {
  return [...registry.keys()];
}
