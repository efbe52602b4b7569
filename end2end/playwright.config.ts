import { defineConfig } from '@playwright/test';

// The release server runs on a fresh SQLite database with the demo data (see
// scripts/test.sh, which builds it first). Chromium is Debian's: nothing is downloaded.
const port = Number(process.env.CASIA_E2E_PORT ?? 3310);
const dataDir = process.env.CASIA_E2E_DATA ?? '/tmp/casia-e2e';
// The server binary and its site: the release build by default; a developer can point these at
// a debug build (`cargo leptos build`: target/debug/casia) to skip the release compile.
const binary = process.env.CASIA_E2E_BIN ?? '../target/release/casia';
const siteRoot = process.env.CASIA_E2E_SITE ?? '../target/site';

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    locale: 'es-ES',
    timezoneId: 'Europe/Madrid',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
  webServer: {
    command: `rm -rf ${dataDir} && mkdir -p ${dataDir} && exec ${binary} serve`,
    url: `http://127.0.0.1:${port}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    env: {
      CASIA_DATA_DIR: dataDir,
      CASIA_LISTEN: `127.0.0.1:${port}`,
      CASIA_SITE_ROOT: siteRoot,
      CASIA_DEMO_DATA: 'true',
      // Many logins from one address during the run.
      CASIA_LOGIN__CLIENT_MAX_FAILURES: '1000',
      // Staff journeys sign in with a password alone; second_factor.spec.ts enrols its own.
      CASIA_AUTH__STAFF_MFA: 'optional',
      // Every spec verifies from 127.0.0.1: one client for the per-client allowance.
      CASIA_VERIFICATION__PER_MINUTE: '600',
      RUST_LOG: 'warn,lopdf=error',
    },
  },
});
