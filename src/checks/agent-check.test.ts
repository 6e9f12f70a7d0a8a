import { describe, expect, it } from 'vitest';
import { agentExpect, parseAgentLine } from './agent-check.ts';

describe('agent reply words (configuration.txt 5.2 "agent-check")', () => {
  it('keeps the last word of each kind, in any order and separator', () => {
    expect(parseAgentLine('maxconn:30 ready,75%\tup')).toEqual({ description: '', maxconn: '30', admin: 'ready', weight: '75%', health: 'up', healthWord: 'up' });
    expect(parseAgentLine('DOWN drain maint')).toEqual({ description: '', health: 'down', healthWord: 'DOWN', admin: 'maint' });
  });

  it('takes the description after a # that starts a word, and the first unknown word', () => {
    expect(parseAgentLine('stopped # going away')).toEqual({ description: 'going away', health: 'stopped', healthWord: 'stopped' });
    expect(parseAgentLine('down#x foo bar')).toEqual({ description: '', error: 'down#x' });
  });

  it('waits for a full line and reports an incomplete one at the end of stream', () => {
    const b = (s: string): Buffer => Buffer.from(s, 'latin1');
    expect(agentExpect(b('up'), false)).toEqual({ kind: 'wait' });
    expect(agentExpect(b('up'), true)).toEqual({ kind: 'agent-incomplete' });
    expect(agentExpect(b('50%\r\nignored'), false)).toEqual({ kind: 'agent', reply: { description: '', weight: '50%' } });
  });
});
