import { describe, expect, it } from 'vitest';
import { splitCommands, splitWords } from './cli-session.ts';

describe('splitCommands', () => {
  it('splits on ; and keeps \\; inside a command', () => {
    expect(splitCommands('show info;show stat')).toEqual(['show info', 'show stat']);
    expect(splitCommands('show backend\\;get weight be/s2')).toEqual(['show backend\\;get weight be/s2']);
    expect(splitCommands('')).toEqual(['']);
  });
});

describe('splitWords', () => {
  it('splits on blanks and unescapes backslashes', () => {
    expect(splitWords('  set   server be/s1\tstate maint ')).toEqual(['set', 'server', 'be/s1', 'state', 'maint']);
    expect(splitWords('show backend\\;get')).toEqual(['show', 'backend;get']);
    expect(splitWords('a\\ b c')).toEqual(['a b', 'c']);
    expect(splitWords('')).toEqual([]);
  });
});
