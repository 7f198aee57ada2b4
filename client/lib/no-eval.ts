import { config } from 'zod';

// The CSP's script-src has no 'unsafe-eval' (server/security-headers.ts). zod compiles fast object
// parsers with `new Function` and probes for it when a schema is built; jitless skips both, so the
// probe is not reported as a violation. Imported first by main.ts, before any schema exists.
config({ jitless: true });
