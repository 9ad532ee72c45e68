// Reconnect delays: exponential with a cap and jitter, so a whole call center reconnecting after a
// network blip does not hit the service in lockstep.
export function backoffMs(attempt: number, random: () => number = Math.random, baseMs = 500, capMs = 15_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  // Half fixed, half random: never immediate, never longer than the cap.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
