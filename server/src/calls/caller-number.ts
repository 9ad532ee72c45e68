// Which caller ids name a caller. Withheld and unknown numbers reach the switch as an empty caller
// id, "anonymous", "unknown", "private" or a run of zeros (FreeSWITCH's "0000000000" default);
// keyed as they are, every such caller would share one history and one "seen before" marker, and
// would see (and be prioritised by) each other's calls.

/** The number to key a caller's history by, or undefined when the caller is not identified by one. */
export function callerKey(callerNumber: string): string | undefined {
  const n = callerNumber.trim();
  // Digits with an optional leading +: anything else ("anonymous", "sip:...", "") names no one.
  if (!/^\+?\d{3,32}$/.test(n)) return undefined;
  if (/^\+?0+$/.test(n)) return undefined;
  return n;
}
