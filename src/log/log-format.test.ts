import type { ClientTls } from '../net/tls-info.ts';
import { describe, expect, it } from 'vitest';
import { useTimeZone } from './time-zone.test-helper.ts';
import { compileLogFormat, type LogFormatEnv } from './log-format.ts';
import { LOG_FORMAT_VARS } from './log-format-nodes.ts';
import type { TcpLogRecord } from './record.ts';

useTimeZone('UTC');

const REC: TcpLogRecord = {
  clientIp: '10.0.1.2',
  clientPort: 33313,
  acceptDate: Date.UTC(2009, 1, 6, 12, 12, 51, 443),
  frontend: 'fnt',
  backend: 'bck',
  server: 'srv1',
  Tw: 0,
  Tc: 2,
  Tt: 5007,
  bytesRead: 212,
  bytesUploaded: 17,
  termination: 'cD',
  actconn: 4,
  feconn: 3,
  beconn: 2,
  srvconn: 1,
  retries: 0,
  redispatched: false,
  srvQueue: 0,
  backendQueue: 0,
};
const ENV: LogFormatEnv = { pid: 1234, hostname: 'lb1' };

const TLS: ClientTls = {
  sni: 'a.example', protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', alpn: 'h2x', certUsed: true, verify: 0, resumed: true, subject: undefined, issuer: undefined,
  acceptDate: 0, tAccept: 0, handshakeMs: 0,
};

function render(fmt: string, rec: Partial<TcpLogRecord> = {}, opts = {}): string {
  const r = compileLogFormat(fmt, opts);
  if (!r.ok) throw new Error(r.error);
  return r.format.render({ ...REC, ...rec }, ENV);
}

describe('compileLogFormat errors (HAProxy 2.6 messages)', () => {
  it.each([
    ['%', "truncated line after '%'"],
    ['abc %', "truncated line after '%'"],
    ['%{+Q', "truncated line after '+Q'"],
    ['%{+Q}', "parse argument modifier without variable name near '%{+Q}'"],
    ['%{+Q} x', "parse argument modifier without variable name near '%{+Q}'"],
    ['%zz', "no such format variable 'zz'. If you wanted to emit the '%' character verbatim, you need to use '%%'"],
    ['%{+Q}9x', "no such format variable '9x'. If you wanted to emit the '%' character verbatim, you need to use '%%'"],
    ['50%1', "unexpected variable name near '1' at position 3 line : '50%1'. Maybe you want to write a single '%', use the syntax '%%'"],
    ['a % b', "unexpected variable name near ' ' at position 3 line : 'a % b'. Maybe you want to write a single '%', use the syntax '%%'"],
    ['%Ta', "format variable 'Ta' is reserved for HTTP mode"],
    ['%r', "format variable 'r' is reserved for HTTP mode"],
    ['%[src]', 'sample expressions (%[...]) are not supported by hapair yet'],
    ['%{+Q}[src]', 'sample expressions (%[...]) are not supported by hapair yet'],
    ['%constructor', "no such format variable 'constructor'. If you wanted to emit the '%' character verbatim, you need to use '%%'"],
  ])('%j → %s', (fmt, error) => {
    expect(compileLogFormat(fmt)).toEqual({ ok: false, error });
  });

  it('compiles every variable of HAProxy 2.6 in an HTTP frontend', () => {
    for (const name of Object.keys(LOG_FORMAT_VARS)) expect(compileLogFormat(`%${name}`, { mode: 'http' }).ok, name).toBe(true);
  });

  it('prints the client TLS version and cipher (%sslv %sslc), empty fields in clear', () => {
    expect(render('%sslv %sslc|%{+Q}sslv', { clientTls: TLS })).toBe('TLSv1.3 TLS_AES_256_GCM_SHA384|"TLSv1.3"');
    expect(render('%{+Q}sslv %{+Q}sslc')).toBe('"" ""');
  });

  it("renders the TLS samples of HAProxy's HTTPS format, '-' for no sample", () => {
    const fmt = '%[fc_err]/%[ssl_fc_err,hex]/%[ssl_c_err]/%[ssl_c_ca_err]/%[ssl_fc_is_resumed] %[ssl_fc_sni]/%sslv/%sslc %{+Q}[ssl_fc_alpn]';
    expect(render(fmt, { clientTls: TLS })).toBe('0/0000000000000000/0/0/1 a.example/TLSv1.3/TLS_AES_256_GCM_SHA384 "h2x"');
    expect(render(fmt)).toBe('0/-/-/-/0 -/-/- ""');
    expect(render('%[ssl_c_used] %[ssl_c_verify] %[ssl_fc]', { clientTls: TLS })).toBe('1 0 1');
    expect(compileLogFormat('%[ssl_fc_sni').error).toBe("missing ']' after sample expression near 'ssl_fc_sni'");
  });

  it('accepts every TCP variable hapair renders', () => {
    const all = '%ci %cp %fi %fp %bi %bp %si %sp %t %T %Tl %Ts %ms %f %ft %b %s %Tw %Tc %Tt %Tu %B %U %ts %tsc %ac %fc %bc %sc %rc %sq %bq %H %pid %ST %o';
    expect(compileLogFormat(all).ok).toBe(true);
  });
});

describe('rendering', () => {
  it('renders the tcplog fields', () => {
    expect(render('%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq')).toBe(
      '10.0.1.2:33313 [06/Feb/2009:12:12:51.443] fnt bck/srv1 0/2/5007 212 cD 4/3/2/1/0 0/0',
    );
  });

  it('merges consecutive spaces into one and drops leading ones, keeps one trailing', () => {
    expect(render('   %b    %s   ')).toBe('bck srv1 ');
  });

  it('keeps tabs and other text verbatim', () => {
    expect(render('a\t%b|x%%y')).toBe('a\tbck|x%y');
  });

  it("drops a '%' before a character that starts no variable", () => {
    expect(render('%-x %.y')).toBe('-x .y');
  });

  it('quotes text fields with +Q but never numbers', () => {
    expect(render('%{+Q}b %{+Q}s %{+Q}ci %{+Q}cp %{+Q}Tt %{+Q}ft %{+Q}H')).toBe('"bck" "srv1" "10.0.1.2" 33313 5007 "fnt" "lb1"');
  });

  it("prints '-' for an absent text field, '\"\"' when quoted, nothing under -M", () => {
    expect(render('%si:%sp')).toBe('-:-');
    expect(render('%{+Q}si')).toBe('""');
    expect(render('[%{-M}si]')).toBe('[]');
  });

  it('applies %o options to the variables that follow it only', () => {
    expect(render('%b %{+Q}o %b %s %{-Q}o %b')).toBe('bck "bck" "srv1" bck');
  });

  it('takes the last sign of each comma item and ignores unknown names', () => {
    expect(render('%{+Z,+Q}b %{Q}b %{-Q+Q}b')).toBe('"bck" bck "bck"');
  });

  it('prints addresses and ports in hex with +X', () => {
    expect(render('%{+X}ci:%{+X}cp')).toBe('0A000102:8221');
    expect(render('%{+X}ci', { clientIp: '2001:db8::1' })).toBe('20010DB8000000000000000000000001');
    expect(render('%{+X}ci', { clientIp: '::ffff:1.2.3.4' })).toBe('00000000000000000000FFFF01020304');
    expect(render('%{+X}ci', { clientIp: '::' })).toBe('0'.repeat(32));
  });

  it('prints %Ts, %ms and %pid in decimal or hex', () => {
    expect(render('%Ts %{+X}Ts %ms %{+X}ms %pid %{+X}pid')).toBe('1233922371 498C2943 443 1BB 1234 04D2');
  });

  it('escapes \'"\', \'\\\' and \']\' with +E', () => {
    expect(render('%{+E}s %{+E,+Q}s', { server: ']a"b\\c' })).toBe('\\]a\\"b\\\\c "\\]a\\"b\\\\c"');
  });

  it("prints %f without and %ft with the TLS marker '~'", () => {
    expect(render('%f %ft', { frontend: 'https~' })).toBe('https https~');
  });

  it("marks redispatch with '+' on %rc", () => {
    expect(render('%rc', { retries: 3, redispatched: true })).toBe('+3');
  });

  it("prefixes %Tt, %Tu and %B with '+' under option logasap, not %U", () => {
    expect(render('%Tt %Tu %B %U', {}, { logasap: true })).toBe('+5007 +5007 +212 17');
    expect(render('%Tt %Tu %B %U')).toBe('5007 5007 212 17');
  });

  it('renders %tsc with no cookie flags and %ST as 0 in TCP', () => {
    expect(render('%tsc %ST')).toBe('cD-- 0');
  });

  it('prints negative timers', () => {
    expect(render('%Tw/%Tc', { Tw: -1, Tc: -1 })).toBe('-1/-1');
  });

  it('prints the frontend, backend and server addresses when the record has them', () => {
    const rec = { frontendIp: '127.0.0.1', frontendPort: 80, serverIp: '::1', serverPort: 8080, backendSourceIp: '::1', backendSourcePort: 40000 };
    expect(render('%fi:%fp %si:%sp %bi:%bp', rec)).toBe('127.0.0.1:80 ::1:8080 ::1:40000');
  });

  it('prints the request counter %rt in decimal or hex (at least 4 digits), and the unique id %ID', () => {
    expect(render('%rt %{+X}rt', { requestCounter: 3 })).toBe('3 0003');
    expect(render('%lc %{+X}lc', { logCounter: 26 })).toBe('26 001A');
    expect(render('%{+X}rt', { requestCounter: 0x12345 })).toBe('12345');
    expect(render('%ID %{+Q}ID', { uniqueId: 'a-b' })).toBe('a-b "a-b"');
    expect(render('%ID %{+Q}ID')).toBe('- ""');
    expect(render('%[unique-id] %{+Q}[ unique-id ]', { uniqueId: 'u' })).toBe('u "u"');
  });

  it('prints nothing, nor a space, for header captures without capture slots; "" for an absent cookie under +Q', () => {
    const http = { requestDate: REC.acceptDate, TR: 0, Ti: 0, Th: 0, Tr: 0, Ta: 0, status: 200, requestLine: 'GET / HTTP/1.1', method: 'GET', uri: '/', version: 'HTTP/1.1', cookieFlags: '--' };
    expect(render('a %hrl %hsl %{+Q}hrl b %hr %hs c', { http }, { mode: 'http' })).toBe('a b c');
    expect(render('%CC %{+Q}CC %{+Q}CS', { http }, { mode: 'http' })).toBe('- "" ""');
  });
});

describe('unique-id-format rendering (compiled without +M, in a 128-byte buffer)', () => {
  function renderId(fmt: string, rec: Partial<TcpLogRecord> = {}): string {
    const r = compileLogFormat(fmt, { mandatory: false });
    if (!r.ok) throw new Error(r.error);
    return r.format.renderBounded({ ...REC, ...rec }, ENV, 128);
  }

  it('prints nothing for empty fields', () => {
    expect(renderId('[%si][%ID][%{+Q}si][%{+M}si]')).toBe('[][][""][-]');
  });

  it('renders the common format of configuration.txt', () => {
    expect(renderId('%{+X}o %ci:%cp_%fi:%fp_%Ts_%rt:%pid', { frontendIp: '10.0.0.30', frontendPort: 8080, requestCounter: 3 }))
      .toBe('0A000102:8221_0A00001E:1F90_498C2943_0003:04D2');
  });

  it('cuts text at 127 characters and leaves out a number that does not fit', () => {
    const long = 'x'.repeat(120);
    expect(renderId(`${long}_%ci`)).toBe(`${long}_10.0.1`);
    expect(renderId(`${long}_%ci`)).toHaveLength(127);
    // 125 characters, then %Tt's 4 digits would pass 127: the id ends before them.
    expect(renderId(`${'x'.repeat(124)}_%Tt|`)).toBe(`${'x'.repeat(124)}_`);
    expect(renderId(`${'x'.repeat(122)}%Tt|`)).toBe(`${'x'.repeat(122)}5007|`);
    expect(renderId('y'.repeat(200))).toBe('y'.repeat(127));
  });
});
