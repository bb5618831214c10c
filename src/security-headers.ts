import helmet, { type HelmetOptions } from 'helmet';

/**
 * SHA-256 hashes of the inline styles of Swagger UI at /docs: the two `<style>` blocks and the
 * `style` attribute of the SVG sprite in the page @nestjs/swagger serves, and the `<style>` inside
 * the Swagger logo that swagger-ui renders into the top bar. The page's scripts are all files of
 * its own origin (swagger-ui-init.js included), so no inline script is allowed at all.
 *
 * When an upgrade of @nestjs/swagger or swagger-ui-dist changes them, test/security-headers.e2e-spec.ts
 * (the served page) or test/swagger-ui.e2e-spec.ts (what the browser blocked) fails and names the
 * hash to put here.
 */
export const DOCS_INLINE_STYLE_HASHES = [
  "'sha256-/jDKvbQ8cdux+c5epDIqkjHbXDaIY8RucT1PmAe8FG4='",
  "'sha256-eaPyLWVdqMc60xuz5bTp2yBRgVpQSoUggte1+40ONPU='",
  "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='",
] as const;
export const DOCS_INLINE_STYLE_ATTRIBUTE_HASHES = ["'sha256-ezdv1bOGcoOD7FKudKN0Y2Mb763O6qVtM8LT2mtanIU='"] as const;

/**
 * One Content-Security-Policy for every response: JSON answers load nothing, and Swagger UI needs
 * only its own origin (scripts, styles, the spec and the "Try it out" calls), `data:` images (the
 * icons in its CSS) and the inline styles above. No 'unsafe-inline', no 'unsafe-eval', nothing
 * from another origin. `upgrade-insecure-requests` is left out on purpose: the service is often
 * reached over plain HTTP (a container, another machine on the LAN), where it would break /docs.
 */
export const CONTENT_SECURITY_POLICY_DIRECTIVES = {
  'default-src': ["'none'"],
  'base-uri': ["'none'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'", ...DOCS_INLINE_STYLE_HASHES],
  'style-src-attr': ["'unsafe-hashes'", ...DOCS_INLINE_STYLE_ATTRIBUTE_HASHES],
} satisfies Record<string, string[]>;

/** helmet's defaults, with the policy above and framing denied. */
const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY_DIRECTIVES },
  xFrameOptions: { action: 'deny' },
};

/**
 * The headers helmet sets for these options, computed once at start-up: none of them depends on the
 * request, and running helmet's middleware per request cost about 15% of the CPU of a short API
 * call (measured with the benchmark's CPU-per-request figure). app.factory.ts sets them on every
 * answer in the same hook as the trace id.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = (() => {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = value),
    removeHeader: () => undefined,
  };
  // Helmet validates its options synchronously and reports a bad one through next(error).
  helmet(HELMET_OPTIONS)({} as never, response as never, (error?: unknown) => {
    if (error instanceof Error) throw error;
  });
  return Object.freeze(headers);
})();
