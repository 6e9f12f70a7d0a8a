// Configuration sources given with `-f`, in order, as haproxy takes them (haproxy.c
// cfgfiles_expand_directories): a directory stands for its regular `*.cfg` files in byte order,
// skipping names that start with '.'.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { Diagnostics } from './diagnostics.ts';

export interface ConfigSource {
  readonly file: string;
  readonly text: string;
}

/** HAProxy keeps a name only if its first ".cfg" is at its very end ("a.cfg.cfg" is skipped). */
function isCfgName(name: string): boolean {
  const at = name.indexOf('.cfg');
  return !name.startsWith('.') && at >= 0 && at === name.length - 4;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function directoryFiles(dir: string): string[] {
  const base = dir.replace(/\/+$/, '') || '/';
  const prefix = base === '/' ? '/' : `${base}/`;
  return readdirSync(dir)
    .filter(isCfgName)
    .sort(compareBytes)
    .map((name) => `${prefix}${name}`)
    .filter((file) => statSync(file, { throwIfNoEntry: false })?.isFile() ?? false);
}

function errorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return 'No such file or directory';
  if (err.code === 'EACCES') return 'Permission denied';
  return err.message;
}

/** Expand directories into their files; a missing or unreadable path is an error. */
export function expandConfigPaths(paths: readonly string[], diag: Diagnostics): string[] {
  const files: string[] = [];
  for (const path of paths) {
    try {
      if (statSync(path).isDirectory()) files.push(...directoryFiles(path));
      else files.push(path);
    } catch (e) {
      diag.error(undefined, undefined, `Cannot open configuration file/directory ${path} : ${errorText(e)}`);
    }
  }
  return files;
}

/** Read every file as UTF-8; unreadable ones are reported and skipped. */
export function readConfigSources(paths: readonly string[], diag: Diagnostics): ConfigSource[] {
  const sources: ConfigSource[] = [];
  for (const file of expandConfigPaths(paths, diag)) {
    try {
      sources.push({ file, text: readFileSync(file, 'utf8') });
    } catch (e) {
      diag.error(undefined, undefined, `Cannot open configuration file ${file} : ${errorText(e)}`);
    }
  }
  return sources;
}
