import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The header the renderer sends its session token in on every API call (renderer/src/api/http-client.ts). */
export const TOKEN_HEADER = 'x-carlens-token';
/** The meta tag the bridge puts into the index.html it serves, so the renderer can read the token. */
export const TOKEN_META = 'carlens-token';

/**
 * One bridge's session: a random token made at start. The API wants it in a header (a cross-site page cannot set
 * one without a CORS preflight, which the bridge never grants); images, events, the report and the UI's own
 * files want it in a cookie (HttpOnly, SameSite=Strict: a cross-site <img> or link does not carry it), which the
 * address printed at start (…/?token=…) sets. Without it: 403.
 */
export class Session {
  readonly token = randomBytes(32).toString('base64url');
  /** Cookies ignore the port: one name per bridge, so two bridges on 127.0.0.1 do not overwrite each other's. */
  cookieName = 'carlens';

  /** Called once the port is known. */
  bind(port: number): void {
    this.cookieName = `carlens-${port}`;
  }

  /** The Set-Cookie value that hands the token to the browser. */
  cookie(): string {
    return `${this.cookieName}=${this.token}; Path=/; HttpOnly; SameSite=Strict`;
  }

  matches(candidate: string | null | undefined): boolean {
    if (!candidate) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  fromHeader(req: IncomingMessage): boolean {
    const value = req.headers[TOKEN_HEADER];
    return this.matches(Array.isArray(value) ? value[0] : value);
  }

  fromCookie(req: IncomingMessage): boolean {
    for (const part of (req.headers.cookie ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === this.cookieName && this.matches(part.slice(eq + 1).trim())) return true;
    }
    return false;
  }

  /** index.html with the token in a meta tag, for the API client. */
  inject(html: string): string {
    const meta = `<meta name="${TOKEN_META}" content="${this.token}" />`;
    return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (head) => `${head}\n    ${meta}`) : `${meta}\n${html}`;
  }
}
