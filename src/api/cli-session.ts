// One connection to a `stats socket` (HAProxy management.txt 9.3): lines of `;`-separated
// commands, each answer followed by an empty line; `prompt` toggles interactive mode ("> "
// after each answer), `quit` closes. Without prompt, the lines already received are answered
// and the connection closes. A line longer than the buffer closes the connection silently and
// an idle connection closes after `stats timeout`, as HAProxy does (src/cli.c cli_io_handler).
import type net from 'node:net';
import type { ApiLevel } from './commands.ts';

/** HAProxy's tune.bufsize: a command line must fit in one buffer. */
export const MAX_LINE_BYTES = 16384;

export interface CommandRunner {
  /** Run one command (already split into words); returns the answer text. */
  run(words: readonly string[], session: CliSession): string;
}

export class CliSession {
  readonly socket: net.Socket;
  level: ApiLevel;
  interactive = false;
  #pending = '';
  #closing = false;
  readonly #runner: CommandRunner;

  constructor(socket: net.Socket, level: ApiLevel, runner: CommandRunner, timeoutMs: number) {
    this.socket = socket;
    this.level = level;
    this.#runner = runner;
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.#onData(chunk));
    // The client's FIN: a line without its LF is dropped (cli.c waits for a full line).
    socket.on('end', () => this.#finish());
    socket.on('error', () => socket.destroy());
    if (timeoutMs > 0) {
      socket.setTimeout(timeoutMs);
      socket.on('timeout', () => socket.destroy());
    }
    socket.resume();
  }

  /** `quit`: close at once. */
  quit(): void {
    this.#closing = true;
    this.socket.end();
  }

  #onData(chunk: string): void {
    if (this.#closing) return;
    this.#pending += chunk;
    let nl: number;
    while (!this.#closing && (nl = this.#pending.indexOf('\n')) >= 0) {
      if (nl >= MAX_LINE_BYTES) break;
      const line = this.#pending.slice(0, nl);
      this.#pending = this.#pending.slice(nl + 1);
      this.#runLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    if (this.#closing) return;
    // latin1: one character per byte, so the length is the byte count.
    if (this.#pending.length >= MAX_LINE_BYTES) {
      this.#closing = true;
      this.socket.destroy();
      return;
    }
    if (!this.interactive && this.#pending === '') this.#finish();
  }

  #finish(): void {
    if (this.#closing) return;
    this.#closing = true;
    this.socket.end();
  }

  #runLine(line: string): void {
    if (this.interactive && line.trim() === '') {
      this.socket.write('> ');
      return;
    }
    for (const command of splitCommands(line)) {
      const out = this.#runner.run(splitWords(command), this);
      if (this.#closing) return;
      this.socket.write(`${out}\n${this.interactive ? '> ' : ''}`);
    }
  }
}

/** `;` separates commands; `\;` is a literal semicolon (management.txt 9.3). */
export function splitCommands(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && line[i + 1] === ';') {
      cur += '\\;';
      i++;
    } else if (c === ';') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Words split on blanks; a backslash escapes the next character (cli.c cli_parse_request). */
export function splitWords(command: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (c === '\\' && i + 1 < command.length) {
      cur += command[++i];
      inWord = true;
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}
