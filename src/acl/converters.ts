// Converters (configuration.txt 7.3.1): `lower`, `upper` and the map family `map_<match>[_<out>]
// (FILE[,DEFAULT])`, whose files use HAProxy's map format (pattern-file.ts). A converter returns
// undefined when it has no output (a map miss without default), which drops the sample.
import { compilePatterns, toInt, type MatchMethod, type SampleType } from './matchers.ts';
import { readMapFile } from './pattern-file.ts';
import type { SampleValue } from './sample.ts';

export type Converter = (v: SampleValue) => SampleValue | undefined;

export interface ConverterDef {
  readonly minArgs: number;
  readonly maxArgs: number;
  /** Output type for the input type `t`. */
  readonly out: (t: SampleType) => SampleType;
  /** Build the converter from its arguments; a string is an error text. */
  readonly build: (args: readonly string[]) => Converter | string;
}

const lower: ConverterDef = { minArgs: 0, maxArgs: 0, out: () => 'str', build: () => (v) => (typeof v === 'string' ? v : String(v)).toLowerCase() };
const upper: ConverterDef = { minArgs: 0, maxArgs: 0, out: () => 'str', build: () => (v) => (typeof v === 'string' ? v : String(v)).toUpperCase() };

const MAP_MATCHES: Readonly<Record<string, MatchMethod>> = {
  '': 'str', str: 'str', beg: 'beg', sub: 'sub', dir: 'dir', dom: 'dom', end: 'end', reg: 'reg', regm: 'reg', int: 'int', ip: 'ip',
};

function mapConverter(method: MatchMethod, out: 'str' | 'int'): ConverterDef {
  return {
    minArgs: 1, maxArgs: 2, out: () => out,
    build: (args) => {
      const file = readMapFile(args[0]);
      if (!file.ok) return file.error;
      const found = compilePatterns(method, file.keys, false);
      if (!found.ok) return found.error;
      const values: SampleValue[] = [];
      for (const v of file.values) {
        if (out === 'int' && !/^-?\d+$/.test(v)) return `'${v}' is not a valid integer value in map file <${args[0]}>`;
        values.push(out === 'int' ? toInt(v) : v);
      }
      const dflt = args[1] === undefined ? undefined : out === 'int' ? toInt(args[1]) : args[1];
      const find = found.find;
      return (v) => {
        const i = find(v);
        return i >= 0 ? values[i] : dflt;
      };
    },
  };
}

function mapEntries(): [string, ConverterDef][] {
  const out: [string, ConverterDef][] = [];
  for (const [suffix, method] of Object.entries(MAP_MATCHES)) {
    const base = suffix === '' ? 'map' : `map_${suffix}`;
    out.push([base, mapConverter(method, 'str')], [`${base}_str`, mapConverter(method, 'str')], [`${base}_int`, mapConverter(method, 'int')]);
  }
  return out;
}

export const CONVERTERS: ReadonlyMap<string, ConverterDef> = new Map<string, ConverterDef>([
  ['lower', lower],
  ['upper', upper],
  ...mapEntries(),
]);
