// Agent checks (`agent-check`, `agent-send`, `agent-port`; configuration.txt 5.2 "agent-check";
// src/tcpcheck.c tcpcheck_agent_expect_reply): send the agent-send string, read one line of words.
import type { AgentReply } from './check.ts';
import { IMPLICIT_CONNECT, type CustomOutcome, type TcpCheckRuleset } from './tcpcheck-rules.ts';
import { expectRule, sendRule } from './ruleset-helpers.ts';

/**
 * Parse an agent line: words separated by spaces, tabs or commas; `#` at the start of a word
 * begins a description. The last word of each kind wins; the first unknown word is kept.
 */
export function parseAgentLine(line: string): AgentReply {
  const reply: { -readonly [K in keyof AgentReply]: AgentReply[K] } = { description: '' };
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === ',') {
      i++;
      continue;
    }
    if (c === '#') {
      reply.description = line.slice(i + 1).replace(/^[ \t]+/, '');
      break;
    }
    let end = i + 1;
    while (end < line.length && !' \t\n,'.includes(line[end]!)) end++;
    classifyWord(line.slice(i, end), reply);
    i = end + 1;
  }
  return reply;
}

function classifyWord(word: string, reply: { -readonly [K in keyof AgentReply]: AgentReply[K] }): void {
  const w = word.toLowerCase();
  if (w === 'up' || w === 'down' || w === 'stopped' || w === 'fail') {
    reply.health = w;
    reply.healthWord = word;
  }
  else if (w === 'ready' || w === 'drain' || w === 'maint') reply.admin = w;
  else if (/^[0-9]/.test(word) && word.includes('%')) reply.weight = word;
  else if (w.startsWith('maxconn:')) reply.maxconn = word.slice('maxconn:'.length);
  else if (reply.error === undefined) reply.error = word;
}

/** The expect of an agent check: wait for a full line, then hand the parsed words over. */
export function agentExpect(data: Buffer, lastRead: boolean): CustomOutcome {
  let text = data.toString('latin1');
  const nul = text.indexOf('\0');
  if (nul >= 0) text = text.slice(0, nul);
  const eol = text.search(/[\r\n]/);
  if (eol < 0) return lastRead ? { kind: 'agent-incomplete' } : { kind: 'wait' };
  return { kind: 'agent', reply: parseAgentLine(text.slice(0, eol)) };
}

export function agentCheckRuleset(): TcpCheckRuleset {
  return {
    kind: 'agent',
    rules: [
      IMPLICIT_CONNECT,
      sendRule(0, (ctx) => Buffer.from(ctx.agentSend?.() ?? '', 'latin1')),
      expectRule(1, { type: 'custom', fn: (d, last) => agentExpect(d, last) }),
    ],
  };
}
