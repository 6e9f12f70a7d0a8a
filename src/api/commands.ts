// The runtime API's command table (HAProxy 2.6 management.txt 9.3): each command's keyword
// words, HAProxy's usage line, the level it needs and its handler. Dispatch finds the first
// command whose words start the line, checks the level ("Permission denied") and runs it.
import type { ApiTarget } from './api-target.ts';
import type { CliSession, CommandRunner } from './cli-session.ts';
import { usageMessage, type CommandUsage } from './cli-usage.ts';

export type ApiLevel = 'user' | 'operator' | 'admin';

const RANK: Readonly<Record<ApiLevel, number>> = { user: 0, operator: 1, admin: 2 };

/** cli.c stats_permission_denied_msg. */
export const PERMISSION_DENIED = 'Permission denied\n';

export interface CommandContext {
  readonly target: ApiTarget;
  readonly session: CliSession;
}

export interface ApiCommand extends CommandUsage {
  readonly level: ApiLevel;
  /** `args` are all the words of the line, keyword words included (HAProxy's args[]). */
  readonly handler: (args: readonly string[], ctx: CommandContext) => string;
}

export function hasLevel(have: ApiLevel, need: ApiLevel): boolean {
  return RANK[have] >= RANK[need];
}

export class CommandTable implements CommandRunner {
  readonly commands: readonly ApiCommand[];
  readonly #target: ApiTarget;

  constructor(target: ApiTarget, commands: readonly ApiCommand[]) {
    this.#target = target;
    this.commands = commands;
  }

  run(words: readonly string[], session: CliSession): string {
    const first = words[0];
    if (first === 'help') return usageMessage(this.commands, words.slice(1), true);
    if (first === 'prompt') {
      session.interactive = !session.interactive;
      return '';
    }
    if (first === 'quit') {
      session.quit();
      return '';
    }
    const cmd = this.commands.find((c) => c.words.every((w, i) => words[i] === w));
    if (cmd === undefined) return usageMessage(this.commands, words, false);
    if (!hasLevel(session.level, cmd.level)) return PERMISSION_DENIED;
    return cmd.handler(words, { target: this.#target, session });
  }
}
