// The last word of a killed keepalive: signed "stopped" adverts kept in files that the VIP guard
// (vip-guard.ts) sends to the peers right after it removed the VIPs. A clean stop says priority 0
// itself (RFC 5798 §6.4.3 "Shutdown") and the backup takes over at once; without this a SIGKILL,
// a crash or an OOM kill would make the backup wait the whole Master_Down_Interval for a VIP the
// guard already removed (a client-visible gap of 3 adverts and more).
//
// The adverts are re-signed on every transition and every REFRESH_MS, so that their timestamp is
// inside the peers' replay window. Their sequence number is the top of the signing millisecond's
// range (SequenceSource.farewell): above anything this process sends meanwhile, and below what a
// restart sends, however soon after the kill and however short the uptime.
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { KeepaliveInstance } from './instance.ts';

const REFRESH_MS = 2000;

/** One datagram for the guard: the file holding it and socat's address to send it to. */
export interface FarewellTarget {
  readonly file: string;
  readonly socatAddress: string;
}

export class Farewell {
  readonly #instances: readonly KeepaliveInstance[];
  readonly #log: Logger;
  #dir = '';
  #timer?: NodeJS.Timeout;
  #writing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(instances: readonly KeepaliveInstance[], log: Logger) {
    this.#instances = instances;
    this.#log = log;
  }

  /** Create the private directory (mode 0700: the files are valid signed adverts). */
  async open(): Promise<void> {
    this.#dir = await mkdtemp(join(tmpdir(), 'hapair-keepalive-'));
    for (const i of this.#instances) i.onTransition(() => this.refresh());
  }

  /** Every datagram the guard sends, in a fixed order (the files' contents change, not the list). */
  targets(): FarewellTarget[] {
    return this.#instances.flatMap((inst, n) =>
      inst.farewellAdverts().map((a, k) => ({
        file: join(this.#dir, `${n}-${k}.advert`),
        socatAddress: a.to.includes(':')
          ? `UDP6-SENDTO:[${a.to}]:${a.port},bind=[${a.from}]`
          : `UDP4-SENDTO:${a.to}:${a.port},bind=${a.from}`,
      })),
    );
  }

  /** Write the files now, then keep them fresh. */
  async start(): Promise<void> {
    await this.refresh();
    this.#timer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.#timer.unref();
  }

  /** Re-sign every advert with the current state (writes are serialized, each file atomic). */
  refresh(): Promise<void> {
    this.#writing = this.#writing.then(async () => {
      if (this.#closed) return;
      try {
        for (const [n, inst] of this.#instances.entries()) {
          for (const [k, a] of inst.farewellAdverts().entries()) {
            const file = join(this.#dir, `${n}-${k}.advert`);
            await writeFile(`${file}.tmp`, a.buf, { mode: 0o600 });
            await rename(`${file}.tmp`, file);
          }
        }
      } catch (err) {
        this.#log.warn({ err: (err as Error).message }, 'cannot write the farewell adverts');
      }
    });
    return this.#writing;
  }

  /** Clean stop: the process says its own last word; remove the files so the guard sends nothing. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#writing;
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
  }
}
