// Test-only: turn config text into the ExtraSection shape the real config parser hands over
// (src/config is another issue). Handles what the tests need: `#` comments, double quotes.
import type { ExtraSection } from '../config/model.ts';

export function tokenize(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inToken = false;
  let quoted = false;
  for (const ch of line) {
    if (quoted) {
      if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') {
      quoted = true;
      inToken = true;
    } else if (ch === '#') break;
    else if (/\s/.test(ch)) {
      if (inToken) out.push(cur);
      cur = '';
      inToken = false;
    } else {
      cur += ch;
      inToken = true;
    }
  }
  if (inToken) out.push(cur);
  return out;
}

/** Every `keepalive NAME` section of `text`, in order. */
export function keepaliveSections(text: string, file = 'test.cfg'): ExtraSection[] {
  const sections: { type: string; name: string; args: string[]; lines: ExtraSection['lines'][number][]; loc: ExtraSection['loc'] }[] = [];
  let current: (typeof sections)[number] | undefined;
  text.split('\n').forEach((raw, i) => {
    const args = tokenize(raw);
    if (args.length === 0) return;
    const loc = { file, line: i + 1 };
    if (!/^\s/.test(raw)) {
      current = args[0] === 'keepalive' ? { type: 'keepalive', name: args[1] ?? '', args: args.slice(2), lines: [], loc } : undefined;
      if (current) sections.push(current);
      return;
    }
    current?.lines.push({ args, loc });
  });
  return sections;
}
