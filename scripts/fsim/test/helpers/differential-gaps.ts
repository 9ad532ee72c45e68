// The differences the differential test accepts: each is a known, justified gap between fsim and
// the real FreeSWITCH, listed with its reason in ../FIDELITY-GAPS.md (section "Differential test").
// A difference matched by none of these fails the test.
export interface KnownGap {
  /** The FIDELITY-GAPS.md entry. */
  readonly id: string;
  /** Scenario name (substring); any when absent. */
  readonly scenario?: string;
  readonly pattern: RegExp;
}

export const KNOWN_GAPS: readonly KnownGap[] = [];

export function explain(scenario: string, difference: string): string | undefined {
  return KNOWN_GAPS.find((g) => (!g.scenario || scenario.includes(g.scenario)) && g.pattern.test(difference))?.id;
}
