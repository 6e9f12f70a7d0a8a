// Builds the balancer a backend's `balance` line asks for (HAProxy configuration.txt 4.2
// "balance", "hash-type"). Config validation refuses what is not implemented before we get here.
import type { Server } from '../backend/server.ts';
import type { BalanceSpec } from '../config/model.ts';
import { HapairError } from '../errors.ts';
import type { Balancer, BalancerOptions } from './balancer.ts';
import { FirstBalancer } from './first.ts';
import { HashBalancer, type KeyHasher } from './hash-balancer.ts';
import { hashFunctionOf } from './hash-functions.ts';
import { hdrHasher } from './hdr.ts';
import { LeastConnBalancer } from './leastconn.ts';
import { DEFAULT_RANDOM_DRAWS, RandomBalancer } from './random.ts';
import { RoundRobinBalancer } from './roundrobin.ts';
import { SourceBalancer } from './source.ts';
import { StaticRoundRobinBalancer } from './static-rr.ts';
import { uriHashOptions, uriHasher } from './uri.ts';
import { urlParamHasher } from './url-param.ts';

export const BALANCE_ERROR = 'HAPAIR_E_BALANCE';

export function createBalancer(spec: BalanceSpec, servers: readonly Server[], opts: BalancerOptions): Balancer {
  switch (spec.algorithm) {
    case 'roundrobin':
      return new RoundRobinBalancer(servers, opts);
    case 'static-rr':
      return new StaticRoundRobinBalancer(servers, opts);
    case 'leastconn':
      return new LeastConnBalancer(servers, opts);
    case 'first':
      return new FirstBalancer(servers, opts);
    case 'source':
      return new SourceBalancer(servers, { ...opts, hashType: spec.hashType, avalanche: avalancheOf(spec) });
    case 'random':
      return new RandomBalancer(servers, { ...opts, draws: drawsOf(spec) });
    case 'uri':
    case 'url_param':
    case 'hdr':
      return new HashBalancer(
        servers,
        { ...opts, hashType: spec.hashType, avalanche: avalancheOf(spec), skipKeyForOneServer: spec.algorithm !== 'url_param' },
        keyHasherOf(spec),
      );
    case 'rdp-cookie':
      throw new HapairError(BALANCE_ERROR, `balance ${spec.algorithm} is not supported yet`);
    default:
      throw new HapairError(BALANCE_ERROR, `unknown balance algorithm '${String(spec.algorithm)}'`);
  }
}

/**
 * `hash-type consistent` alone means sdbm + avalanche; an explicit function drops avalanche
 * unless named (HAProxy cfgparse-listen.c "hash-type"). `hashAvalanche` carries the parser's view.
 */
function avalancheOf(spec: BalanceSpec): boolean {
  return spec.hashAvalanche ?? spec.hashType === 'consistent';
}

/** `random` or `random(<draws>)`: an integer of one or more, default 2. */
function drawsOf(spec: BalanceSpec): number {
  if (spec.args.length === 0) return DEFAULT_RANDOM_DRAWS;
  const draws = Number(spec.args[0]);
  if (!Number.isInteger(draws) || draws < 1) {
    throw new HapairError(BALANCE_ERROR, `balance random: draws must be an integer of 1 or more, got '${spec.args[0]}'`);
  }
  return draws;
}

/**
 * The request key of an L7 hashing algorithm. Outside `mode http` the config already turned them
 * into roundrobin (config/validate.ts, as HAProxy's proxy_cfg_ensure_no_http); should a session
 * give neither URI nor headers anyway, every pick falls back to round robin.
 */
function keyHasherOf(spec: BalanceSpec): KeyHasher {
  const hash = hashFunctionOf(spec.hashFunction);
  switch (spec.algorithm) {
    case 'uri':
      return uriHasher(uriHashOptions(spec.args), hash);
    case 'url_param':
      return urlParamHasher(spec.args[0], hash);
    default:
      return hdrHasher(spec.args[0], spec.args[1] === 'use_domain_only', hash);
  }
}
