// `option redis-check` against a real redis-server.
import { afterEach, describe, expect, it } from 'vitest';
import { redisCheckRuleset } from '../../src/checks/redis-check.ts';
import { runTcpCheck } from '../../src/checks/tcpcheck-run.ts';
import { closeAll, closedPort, peer, replyOnce, target, track } from './check-peers.ts';
import { startRedis } from './check-servers.ts';

afterEach(closeAll);

describe('option redis-check', () => {
  it('reports "Redis server is ok" on PONG', async () => {
    const redis = await startRedis();
    track({ close: redis.stop });
    const r = await runTcpCheck(redisCheckRuleset(), target(redis.port));
    expect(r).toMatchObject({ status: 'L7OK', code: 0, info: 'Redis server is ok' });
  });

  it('times out on a server that wants a password: it keeps the connection open after -NOAUTH', async () => {
    // haproxy 2.6.12 reports the same L7TOUT against this redis (the expect waits for more data).
    const redis = await startRedis('s3cret');
    track({ close: redis.stop });
    const r = await runTcpCheck(redisCheckRuleset(), target(redis.port));
    expect(r).toMatchObject({ status: 'L7TOUT', code: 0, info: '' });
  });

  it('reports the error line when the server closes after it (L7STS)', async () => {
    const p = await peer(replyOnce('-ERR unknown command\r\n'));
    const r = await runTcpCheck(redisCheckRuleset(), target(p.port));
    expect(r).toMatchObject({ status: 'L7STS', code: 0, info: '-ERR unknown command' });
  });

  it('reports an empty response and a refused connection', async () => {
    const p = await peer((s) => s.once('data', () => s.end()));
    expect(await runTcpCheck(redisCheckRuleset(), target(p.port))).toMatchObject({ status: 'L7STS', info: 'TCPCHK got an empty response at step 2' });
    expect(await runTcpCheck(redisCheckRuleset(), target(await closedPort()))).toMatchObject({ status: 'L4CON', info: 'Connection refused' });
  });

  it('reports garbage by its first line, and a silent server as L7TOUT', async () => {
    const g = await peer(replyOnce('\x00\x01garbage\r\nmore'));
    expect(await runTcpCheck(redisCheckRuleset(), target(g.port))).toMatchObject({ status: 'L7STS', info: '' });
    const silent = await peer(() => {});
    expect(await runTcpCheck(redisCheckRuleset(), target(silent.port))).toMatchObject({ status: 'L7TOUT', info: '' });
  });
});
