// Content switching (configuration.txt 4.2 "use_backend", "default_backend"): the first
// use_backend whose condition holds, else default_backend, else a `listen`'s own backend half.
import type { SampleTxn } from '../../acl/sample.ts';
import type { ProxySpec } from '../../config/model.ts';

/** The backend name for this transaction, or undefined when the frontend has none (503). */
export function selectBackend(spec: ProxySpec, txn: SampleTxn): string | undefined {
  const rules = spec.useBackends;
  for (let i = 0; i < rules.length; i++) {
    const cond = rules[i].condition;
    if (cond === undefined || cond.test(txn)) return rules[i].backend;
  }
  if (spec.defaultBackend !== undefined) return spec.defaultBackend;
  return spec.kind === 'listen' ? spec.name : undefined;
}
