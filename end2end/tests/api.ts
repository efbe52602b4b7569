import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

// The server playwright.config.ts starts: the same defaults and variables, so that the
// operator's CLI works on the same data directory (SQLite: fine while the server runs).
const port = Number(process.env.CASIA_E2E_PORT ?? 3310);
const dataDir = process.env.CASIA_E2E_DATA ?? '/tmp/casia-e2e';
/** The server binary, resolved from end2end/ as the config's `webServer` command runs it. */
export const BINARY = path.resolve(__dirname, '..', process.env.CASIA_E2E_BIN ?? '../target/release/casia');
export const BASE_URL = `http://127.0.0.1:${port}`;

/** The environment of the server, for the operator's commands. */
export function serverEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CASIA_DATA_DIR: dataDir,
    CASIA_LISTEN: `127.0.0.1:${port}`,
    CASIA_SITE_ROOT: path.resolve(__dirname, '..', process.env.CASIA_E2E_SITE ?? '../target/site'),
    CASIA_DEMO_DATA: 'true',
    RUST_LOG: 'warn,lopdf=error',
  };
}

export interface NewToken {
  username: string;
  authorisation: string;
  name?: string;
  /** Comma-separated, as the CLI takes them. */
  scopes?: string;
  expiresDays?: number;
}

/** `casia create-token …`: the token, which the CLI prints alone on its last line. */
export function createToken(t: NewToken): string {
  const args = ['create-token', '--username', t.username, '--authorisation', t.authorisation];
  if (t.name !== undefined) args.push('--name', t.name);
  if (t.scopes !== undefined) args.push('--scopes', t.scopes);
  if (t.expiresDays !== undefined) args.push('--expires-days', String(t.expiresDays));
  const out = execFileSync(BINARY, args, { env: serverEnv(), encoding: 'utf8', timeout: 30_000 });
  const lines = out.trim().split('\n');
  const token = lines[lines.length - 1].trim();
  if (!/^\S{20,}$/.test(token)) throw new Error(`create-token printed no token:\n${out}`);
  return token;
}

/** A name no other test (or earlier run) uses. */
export function unique(prefix: string): string {
  return `${prefix} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}
