import { describe, expect, it } from 'vitest';
import { childLogger, createLogger, initRootLogger, memoryDestination, resolveLogLevel, rootLogger, setLogLevel } from './logger.ts';

describe('resolveLogLevel', () => {
  it('defaults to info', () => {
    expect(resolveLogLevel({ env: {} })).toBe('info');
  });

  it('reads HAPAIR_LOG_LEVEL', () => {
    expect(resolveLogLevel({ env: { HAPAIR_LOG_LEVEL: 'warn' } })).toBe('warn');
  });

  it('lets the explicit option (-d) win over the environment', () => {
    expect(resolveLogLevel({ level: 'debug', env: { HAPAIR_LOG_LEVEL: 'error' } })).toBe('debug');
  });

  it('rejects unknown names, saying where they came from', () => {
    expect(() => resolveLogLevel({ env: { HAPAIR_LOG_LEVEL: 'verbose' } })).toThrow("HAPAIR_LOG_LEVEL: unknown log level 'verbose'");
    expect(() => resolveLogLevel({ level: 'notice', env: {} })).toThrow("level: unknown log level 'notice'");
  });
});

describe('createLogger', () => {
  it('writes JSON lines with structured fields to its destination', () => {
    const mem = memoryDestination();
    const log = createLogger({ level: 'info', destination: mem });
    log.child({ mod: 'checks' }).warn({ backend: 'be', server: 's1' }, 'server down');
    log.debug('hidden');
    expect(mem.lines).toHaveLength(1);
    expect(mem.lines[0]).toMatchObject({ level: 40, mod: 'checks', backend: 'be', server: 's1', msg: 'server down' });
    expect(typeof mem.lines[0].time).toBe('number');
  });

  it('logs debug lines at level debug', () => {
    const mem = memoryDestination();
    createLogger({ level: 'debug', destination: mem }).debug('shown');
    expect(mem.lines.map((l) => l.msg)).toEqual(['shown']);
  });
});

describe('process root', () => {
  it('childLogger tags lines with mod and follows initRootLogger and setLogLevel', () => {
    const mem = memoryDestination();
    initRootLogger({ level: 'info', destination: mem, env: {} });
    const checks = childLogger('checks');
    checks.debug('not yet');
    setLogLevel('debug');
    checks.debug('now');
    rootLogger().info('root');
    expect(mem.lines.map((l) => [l.mod, l.msg])).toEqual([
      ['checks', 'now'],
      [undefined, 'root'],
    ]);
    expect(rootLogger().level).toBe('debug');
  });

  it('rejects an unknown level in setLogLevel', () => {
    expect(() => setLogLevel('loud')).toThrow("unknown log level 'loud'");
  });
});
