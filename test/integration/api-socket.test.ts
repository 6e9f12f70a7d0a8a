// The runtime API socket itself: one command per connection, prompt mode, `;` chaining, quit,
// levels, unknown commands, oversized lines, idle and half-open clients (management.txt 9.3).
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ask, startApiProxy, type ApiProxy } from './api-harness.ts';

let px: ApiProxy;
const clients: ApiClient[] = [];

beforeAll(async () => {
  px = await startApiProxy(
    (dir) => `global
    stats socket ${dir}/admin.sock level admin
    stats socket ${dir}/oper.sock
    stats socket ${dir}/user.sock mode 600 level user
    stats timeout 2s
defaults
    mode tcp
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind ${dir}/fe.sock
    default_backend be
backend be
    server s1 127.0.0.1:1
    server s2 127.0.0.1:2 weight 3
`,
  );
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await px?.stop();
});

function client(name: string): ApiClient {
  const c = new ApiClient(px.sock(name));
  clients.push(c);
  return c;
}

describe('sockets', () => {
  it('creates each UNIX socket with its mode, like a bind line', () => {
    expect(statSync(px.sock('user.sock')).mode & 0o777).toBe(0o600);
    expect(statSync(px.sock('admin.sock')).isSocket()).toBe(true);
  });
});

describe('one command per connection', () => {
  it('answers, ends with an empty line and closes', async () => {
    expect(await ask(px.sock('admin.sock'), 'show backend')).toBe('# name\nbe\n\n');
  });

  it('runs `;`-separated commands in order, each answer followed by an empty line', async () => {
    expect(await ask(px.sock('admin.sock'), 'show backend;get weight be/s2;get weight be/s1')).toBe('# name\nbe\n\n3 (initial 3)\n\n1 (initial 1)\n\n');
  });

  it('drops a last line without its newline, as HAProxy does', async () => {
    expect(await ask(px.sock('admin.sock'), 'show backend', { raw: true })).toBe('');
  });

  it('closes after answering even when the client keeps its side open', async () => {
    expect(await ask(px.sock('admin.sock'), 'get weight be/s1', { halfClose: false })).toBe('1 (initial 1)\n\n');
  });
});

describe('prompt mode', () => {
  it('keeps the connection for several commands, prompting with "> " until quit', async () => {
    const c = client('admin.sock');
    c.send('prompt\n');
    await c.waitText((t) => t === '\n> ');
    c.send('get weight be/s2\n');
    await c.waitText((t) => t.endsWith('3 (initial 3)\n\n> '));
    c.send('show backend;get weight be/s1\n');
    await c.waitText((t) => t.endsWith('# name\nbe\n\n> 1 (initial 1)\n\n> '));
    c.send('quit\n');
    await c.waitClosed();
    expect(c.text).toBe('\n> 3 (initial 3)\n\n> # name\nbe\n\n> 1 (initial 1)\n\n> ');
  });

  it('closes an idle session after `stats timeout`', async () => {
    const c = client('admin.sock');
    c.send('prompt\n');
    await c.waitText((t) => t === '\n> ');
    await c.waitClosed(15_000);
    expect(c.closed).toBe(true);
  });
});

describe('levels', () => {
  it('refuses admin commands below admin with "Permission denied"', async () => {
    for (const sock of ['user.sock', 'oper.sock']) {
      expect(await ask(px.sock(sock), 'set server be/s1 state maint')).toBe('Permission denied\n\n');
      expect(await ask(px.sock(sock), 'disable frontend fe')).toBe('Permission denied\n\n');
      expect(await ask(px.sock(sock), 'set maxconn global 10')).toBe('Permission denied\n\n');
    }
    expect(px.runtime.backends.get('be')!.servers[0].admin.maint).toBe(false);
  });

  it('lets operator (the default level) but not user see sessions', async () => {
    expect(await ask(px.sock('user.sock'), 'show sess')).toBe('Permission denied\n\n');
    expect(await ask(px.sock('oper.sock'), 'show sess')).toBe('\n');
  });

  it('lets every level read stats and weights', async () => {
    expect(await ask(px.sock('user.sock'), 'get weight be/s2')).toBe('3 (initial 3)\n\n');
    expect(await ask(px.sock('user.sock'), 'show info')).toMatch(/^Name: hapair\n/);
  });
});

describe('help and unknown commands', () => {
  it('lists the commands as HAProxy 2.6 prints them', async () => {
    const help = await ask(px.sock('admin.sock'), 'help');
    expect(help.startsWith('The following commands are valid at this level:\n')).toBe(true);
    expect(help).toContain("  set server <bk>/<srv> [opts]            : change a server's state, weight, address or ssl\n");
    expect(help.endsWith('  help [<command>]                        : list matching or all commands\n  prompt                                  : toggle interactive mode with prompt\n  quit                                    : disconnect\n\n')).toBe(true);
  });

  it('suggests the closest commands for an unknown one, as HAProxy 2.6 does', async () => {
    expect(await ask(px.sock('admin.sock'), 'set maxconn foo')).toBe(
      'Unknown command, but maybe one of the following ones is a better match:\n' +
        "  set maxconn frontend <frontend> <value> : change a frontend's maxconn setting\n" +
        '  set maxconn global <value>              : change the per-process maxconn setting\n' +
        "  set maxconn server <bk>/<srv>           : change a server's maxconn setting\n" +
        '  help [<command>]                        : list matching or all commands\n' +
        '  prompt                                  : toggle interactive mode with prompt\n' +
        '  quit                                    : disconnect\n\n',
    );
  });

  it('lists every command for an empty line', async () => {
    const out = await ask(px.sock('admin.sock'), '');
    expect(out.startsWith('Unknown command. Please enter one of the following commands only:\n  clear table')).toBe(true);
  });
});

describe('robustness', () => {
  it('closes a connection whose line exceeds the buffer, silently, and keeps serving others', async () => {
    expect(await ask(px.sock('admin.sock'), `show ${'x'.repeat(20000)}`)).toBe('');
    expect(await ask(px.sock('admin.sock'), 'get weight be/s1')).toBe('1 (initial 1)\n\n');
  });

  it('serves other clients while one sits half-open with a partial line', async () => {
    const stuck = client('admin.sock');
    stuck.send('show ba');
    const stuck2 = client('admin.sock');
    stuck2.send('prompt\n');
    await stuck2.waitText((t) => t === '\n> ');
    expect(await ask(px.sock('admin.sock'), 'show backend')).toBe('# name\nbe\n\n');
    expect(stuck.closed).toBe(false);
  });

  it('works with socat', async () => {
    const out = await new Promise<string>((resolve, reject) => {
      const child = execFile('socat', ['-t', '5', 'stdio', `unix-connect:${px.sock('admin.sock')}`], { timeout: 10_000 }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      );
      child.stdin!.end('show info;show backend\n');
    });
    expect(out).toMatch(/^Name: hapair\nVersion: /);
    expect(out).toMatch(/\nPid: \d+\n/);
    expect(out.endsWith('\n\n# name\nbe\n\n')).toBe(true);
  });
});
