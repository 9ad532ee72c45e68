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
/** sched_api's group name of the lease tasks. */
const LEASE_GROUP = 'hotline_intake_lease';

export type IntakeMode = FreeswitchConfig['intake'];

/** Grants "dialplan" for leaseSec: the switch's own scheduler sets "socket" back then. */
export const leaseCommand = (leaseSec: number): string => `sched_api +${Math.round(leaseSec)} ${LEASE_GROUP} global_setvar hotline_intake=socket`;
export const modeCommand = (mode: IntakeMode): string => `global_setvar hotline_intake=${mode}`;
/** Every lease task of every instance (a "socket" service clears them all). */
export const clearCommand = `sched_del ${LEASE_GROUP}`;

/** The task id in sched_api's reply ("+OK Added: 12"). */
export function addedTaskId(reply: string): string | undefined {
  return /^\+OK Added: (\d+)/.exec(reply.trim())?.[1];
}

/** Sets the mode on one switch now and, for "dialplan", keeps renewing it while connected. */
export class IntakeLease {
  private timer: ReturnType<typeof setInterval> | undefined;
  private failures = 0;
  private renewing = false;
  /** This instance's lease tasks still pending on the switch. */
  private tasks: string[] = [];

  constructor(
    private readonly mode: IntakeMode,
    private readonly leaseSec: number,
    private readonly api: (command: string) => Promise<string>,
    private readonly connected: () => boolean,
    /** A renewal failed: `failures` in a row so far (the owner logs with the count, not each). */
    private readonly onFailure: (err: unknown, failures: number) => void,
  ) {}

  /** At every (re)connect: set now, then keep renewing. */
  async apply(): Promise<void> {
    this.start();
    await this.renew();
  }

  /** No more renewals; the pending task hands the switch back to "socket" when it runs. */
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
    // A switch slower than the interval: one renewal at a time.
    if (this.renewing) return;
    this.renewing = true;
    try {
      if (this.mode === 'socket') {
        // "+OK Deleted: 0" on 1.10.12 when there is none; whatever it answers, the mode is set.
        await this.api(clearCommand).catch(() => undefined);
        await this.api(modeCommand('socket'));
      } else {
        // The new task first, then the mode, then the old tasks: a service that dies between any
        // two of these leaves a task that gives the switch back to "socket". (Deleting the group
        // first, as a first version did, left none when it died right after: "dialplan" for good.)
        // Another instance's older tasks may run meanwhile: "socket" until the next renewal, which
        // only costs those calls the socket path.
        const id = addedTaskId(await this.api(leaseCommand(this.leaseSec)));
        await this.api(modeCommand('dialplan'));
        const old = this.tasks;
        this.tasks = id ? [id] : [];
        for (const t of old) if (t !== id) await this.api(`sched_del ${t}`).catch(() => undefined);
      }
      this.failures = 0;
    } catch (err) {
      this.onFailure(err, ++this.failures);
    } finally {
      this.renewing = false;
    }
  }
}
