// Who plays a new call's welcome, told to each switch: public.xml reads the global variable
// hotline_intake at every call. "socket" is vars.xml's value and safe without the service (the
// socket fails, the dialplan's fallback rings the overflow number). "dialplan" sends callers to the
// waiting extension whether or not the service hears of them, so it is granted as a lease: the
// switch's own scheduler puts "socket" back `leaseSec` after the last renewal. A service
// that restarts within the lease finds its callers waiting (resync picks them up); one that stays
// away sends later callers to the fallback, as before.
import type { FreeswitchConfig } from '../config-schema.ts';

/** How often the service renews the lease: four times per lease, at most every 5 s. */
export const renewEveryMs = (leaseSec: number): number => Math.min(5_000, (leaseSec * 1000) / 4);
/** sched_api's group name: one lease per switch, replaced at each renewal. */
const LEASE_GROUP = 'hotline_intake_lease';

export type IntakeMode = FreeswitchConfig['intake'];

/**
 * The api commands that set (or renew) the mode, in order. sched_del of a group that has no task
 * answers -ERR on some versions: the caller ignores that one's reply.
 */
export function intakeCommands(mode: IntakeMode, leaseSec: number): { readonly clear: string; readonly set: readonly string[] } {
  const clear = `sched_del ${LEASE_GROUP}`;
  if (mode === 'socket') return { clear, set: ['global_setvar hotline_intake=socket'] };
  return { clear, set: [`sched_api +${Math.round(leaseSec)} ${LEASE_GROUP} global_setvar hotline_intake=socket`, 'global_setvar hotline_intake=dialplan'] };
}

/** Sets the mode on one switch now and, for "dialplan", keeps renewing it while connected. */
export class IntakeLease {
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly mode: IntakeMode,
    private readonly leaseSec: number,
    private readonly api: (command: string) => Promise<string>,
    private readonly connected: () => boolean,
    /** A renewal failed: `failures` in a row so far (the owner logs with the count, not each). */
    private readonly onFailure: (err: unknown, failures: number) => void,
  ) {}

  private failures = 0;

  /** At every (re)connect: set now, then keep renewing. */
  async apply(): Promise<void> {
    this.start();
    await this.renew();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private start(): void {
    if (this.mode !== 'dialplan' || this.timer) return;
    this.timer = setInterval(() => void (this.connected() ? this.renew() : undefined), renewEveryMs(this.leaseSec));
    this.timer.unref();
  }

  private async renew(): Promise<void> {
    const { clear, set } = intakeCommands(this.mode, this.leaseSec);
    try {
      await this.api(clear).catch(() => undefined);
      for (const c of set) await this.api(c);
      this.failures = 0;
    } catch (err) {
      this.onFailure(err, ++this.failures);
    }
  }
}
