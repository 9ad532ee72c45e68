// `Authorization: Bearer <token>` as every protected entry point reads it (RFC 6750), and a
// comparison of a shared secret that takes the same time however much of it is right.
import { timingSafeEqual } from 'node:crypto';

/** The token of a Bearer header, or undefined. Tokens are printable ASCII and bounded in size. */
export const bearerToken = (header: string | undefined): string | undefined => /^Bearer ([\x21-\x7e]{1,4096})$/.exec(header ?? '')?.[1];

export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
