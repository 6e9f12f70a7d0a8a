// The compiled form of a log-format string: a flat list of nodes, and the variable table that
// maps HAProxy's `%x` names onto them (HAProxy configuration.txt 8.2.6 "Custom log format").

/** Node kinds. Numbers, so the render loop switches on small integers. */
export const K = {
  TEXT: 0,
  SEPARATOR: 1,
  CLIENT_IP: 2, // %ci
  CLIENT_PORT: 3, // %cp
  FRONTEND_IP: 4, // %fi
  FRONTEND_PORT: 5, // %fp
  BACKEND_IP: 6, // %bi
  BACKEND_PORT: 7, // %bp
  SERVER_IP: 8, // %si
  SERVER_PORT: 9, // %sp
  DATE: 10, // %t
  DATE_GMT: 11, // %T
  DATE_LOCAL: 12, // %Tl
  TIMESTAMP: 13, // %Ts
  MILLIS: 14, // %ms
  FRONTEND: 15, // %f
  FRONTEND_XPRT: 16, // %ft
  BACKEND: 17, // %b
  SERVER: 18, // %s
  TW: 19,
  TC: 20,
  TT: 21,
  TU: 22,
  BYTES: 23, // %B
  BYTES_UP: 24, // %U
  TERM_STATE: 25, // %ts
  TERM_STATE_CK: 26, // %tsc
  ACTCONN: 27,
  FECONN: 28,
  BECONN: 29,
  SRVCONN: 30,
  RETRIES: 31,
  SRV_QUEUE: 32,
  BCK_QUEUE: 33,
  HOSTNAME: 34, // %H
  PID: 35, // %pid
  STATUS: 36, // %ST
  GLOBAL: 37, // %o: sets the default options of the following variables
  // HTTP mode (configuration.txt 8.2.3, 8.2.6); rendered from the record's `http` part.
  T_R: 38, // %TR
  T_Q: 39, // %Tq
  T_RESP: 40, // %Tr
  T_A: 41, // %Ta
  T_I: 42, // %Ti
  T_H: 43, // %Th
  T_D: 44, // %Td
  REQ_DATE: 45, // %tr
  REQ_DATE_GMT: 46, // %trg
  REQ_DATE_LOCAL: 47, // %trl
  REQ_LINE: 48, // %r
  METHOD: 49, // %HM
  URI: 50, // %HU
  PATH: 51, // %HP
  QUERY: 52, // %HQ
  VERSION: 53, // %HV
  REQ_COOKIE: 54, // %CC
  RES_COOKIE: 55, // %CS
  REQ_HEADERS: 56, // %hr
  RES_HEADERS: 57, // %hs
  REQ_HEADERS_LIST: 58, // %hrl
  RES_HEADERS_LIST: 59, // %hsl
  PATH_QUERY: 60, // %HPO
  SSL_CIPHER: 61, // %sslc
  SSL_VERSION: 62, // %sslv
  TLS_SAMPLE: 63, // %[ssl_fc_sni] ...: `text` is the expression (log-format-tls.ts)
  UNIQUE_ID: 64, // %ID (unique-id-format)
  REQ_COUNTER: 65, // %rt
  LOG_COUNTER: 66, // %lc
} as const;
export type NodeKind = (typeof K)[keyof typeof K];

/** Variable options, `%{+M,+Q,+X,+E}` (HAProxy LOG_OPT_*). */
export const OPT = { MANDATORY: 1, QUOTE: 2, HEXA: 4, ESCAPE: 8 } as const;
export const OPT_NAMES: Readonly<Record<string, number>> = { M: OPT.MANDATORY, Q: OPT.QUOTE, X: OPT.HEXA, E: OPT.ESCAPE };

export interface LogFormatNode {
  readonly kind: NodeKind;
  readonly opts: number;
  /** TEXT only. */
  readonly text: string;
}

/**
 * Every variable HAProxy 2.6 knows (src/log.c logformat_keywords), with the mode it needs.
 * `kind` is absent for variables hapair cannot compute from a TcpLogRecord yet: they are
 * configuration errors rather than silently empty fields.
 */
interface VarDef {
  readonly http: boolean;
  readonly kind?: NodeKind;
}
const tcp = (kind?: NodeKind): VarDef => ({ http: false, kind });
const http = (kind?: NodeKind): VarDef => ({ http: true, kind });

export const LOG_FORMAT_VARS: Readonly<Record<string, VarDef>> = {
  o: tcp(K.GLOBAL),
  B: tcp(K.BYTES),
  CC: http(K.REQ_COOKIE),
  CS: http(K.RES_COOKIE),
  H: tcp(K.HOSTNAME),
  ID: tcp(K.UNIQUE_ID),
  ST: tcp(K.STATUS),
  T: tcp(K.DATE_GMT),
  Ta: http(K.T_A),
  Tc: tcp(K.TC),
  Th: tcp(K.T_H),
  Ti: http(K.T_I),
  Tl: tcp(K.DATE_LOCAL),
  Tq: http(K.T_Q),
  Tr: http(K.T_RESP),
  TR: http(K.T_R),
  // %Td = Ta - (TR + Tw + Tc + Tr); -1 outside HTTP.
  Td: tcp(K.T_D),
  Ts: tcp(K.TIMESTAMP),
  Tt: tcp(K.TT),
  Tu: tcp(K.TU),
  Tw: tcp(K.TW),
  U: tcp(K.BYTES_UP),
  ac: tcp(K.ACTCONN),
  b: tcp(K.BACKEND),
  bc: tcp(K.BECONN),
  bi: tcp(K.BACKEND_IP),
  bp: tcp(K.BACKEND_PORT),
  bq: tcp(K.BCK_QUEUE),
  ci: tcp(K.CLIENT_IP),
  cp: tcp(K.CLIENT_PORT),
  f: tcp(K.FRONTEND),
  fc: tcp(K.FECONN),
  fi: tcp(K.FRONTEND_IP),
  fp: tcp(K.FRONTEND_PORT),
  ft: tcp(K.FRONTEND_XPRT),
  hr: tcp(K.REQ_HEADERS),
  hrl: tcp(K.REQ_HEADERS_LIST),
  hs: tcp(K.RES_HEADERS),
  hsl: tcp(K.RES_HEADERS_LIST),
  HM: http(K.METHOD),
  HP: http(K.PATH),
  HPO: http(K.PATH_QUERY),
  HQ: http(K.QUERY),
  HU: http(K.URI),
  HV: http(K.VERSION),
  lc: tcp(K.LOG_COUNTER),
  ms: tcp(K.MILLIS),
  pid: tcp(K.PID),
  r: http(K.REQ_LINE),
  rc: tcp(K.RETRIES),
  rt: tcp(K.REQ_COUNTER),
  s: tcp(K.SERVER),
  sc: tcp(K.SRVCONN),
  si: tcp(K.SERVER_IP),
  sp: tcp(K.SERVER_PORT),
  sq: tcp(K.SRV_QUEUE),
  sslc: tcp(K.SSL_CIPHER),
  sslv: tcp(K.SSL_VERSION),
  t: tcp(K.DATE),
  tr: http(K.REQ_DATE),
  trg: http(K.REQ_DATE_GMT),
  trl: http(K.REQ_DATE_LOCAL),
  ts: tcp(K.TERM_STATE),
  tsc: tcp(K.TERM_STATE_CK),
};
