// A ready HeaderFields implementation over one flat array [name0, value0, name1, value1, ...],
// the cheapest layout to fill from a head parser and to serialise back.
import type { HeaderFields } from './sample.ts';

export class FlatHeaderFields implements HeaderFields {
  /** name, value, name, value ... (exposed so a writer can serialise without calls). */
  readonly flat: string[];

  constructor(flat: string[] = []) {
    this.flat = flat;
  }

  get length(): number {
    return this.flat.length >> 1;
  }

  nameAt(i: number): string {
    return this.flat[i << 1];
  }

  valueAt(i: number): string {
    return this.flat[(i << 1) + 1];
  }

  setValueAt(i: number, value: string): void {
    this.flat[(i << 1) + 1] = value;
  }

  removeAt(i: number): void {
    this.flat.splice(i << 1, 2);
  }

  append(name: string, value: string): void {
    this.flat.push(name, value);
  }
}

/** ASCII case-insensitive equality without allocating (header names are ASCII tokens). */
export function sameName(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y && (x | 0x20) !== (y | 0x20)) return false;
    if (x !== y && ((x | 0x20) < 0x61 || (x | 0x20) > 0x7a)) return false;
  }
  return true;
}
