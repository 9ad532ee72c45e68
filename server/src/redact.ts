// Secrets out of what gets logged. A walk over any plain value (the config at start-up): fields
// named like secrets are replaced whole, and every URL found in a string loses its credentials:
// the user and password, every query value, and, for webhook URLs, the path (Slack-style hooks and
// many ticket systems put their token there). Generic on purpose: a secret added to the config
// later is hidden by its name without anyone remembering to list it here.

export const REDACTED = '***';

/** Field names whose value is a secret wherever they appear. */
const SECRET_FIELD = /(password|secret|token|credential|apikey|api_key|privatekey)$/i;
/** Field names whose URL's path is a credential too. */
const WEBHOOK_FIELD = /webhook/i;

/** A URL with its credentials replaced; text that is not a URL comes back unchanged. */
export function redactUrl(text: string, hidePath = false): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  if (!url.host) return text;
  const auth = url.username || url.password ? `${REDACTED}@` : '';
  const path = hidePath && url.pathname.length > 1 ? `/${REDACTED}` : url.pathname;
  const query = [...url.searchParams.keys()].map((k) => `${encodeURIComponent(k)}=${REDACTED}`).join('&');
  return `${url.protocol}//${auth}${url.host}${path}${query ? `?${query}` : ''}${url.hash ? `#${REDACTED}` : ''}`;
}

/** A deep copy of `value` with secrets replaced (see above). */
export function redactSecrets(value: unknown, field = ''): unknown {
  if (typeof value === 'string') {
    if (SECRET_FIELD.test(field)) return REDACTED;
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? redactUrl(value, WEBHOOK_FIELD.test(field)) : value;
  }
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, field));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_FIELD.test(k) && v !== undefined && v !== null ? REDACTED : redactSecrets(v, k)]));
  }
  return value;
}
