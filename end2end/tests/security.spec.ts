import { expect, test } from '@playwright/test';
import { goto, hydrated, loginAsUser } from './helpers';

// The Content-Security-Policy allows only the site's own scripts and the page's nonce'd
// hydration script: every page must still hydrate (lazy route chunks and their wasm included)
// without a single violation.
test('pages hydrate under the Content-Security-Policy without violations', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (msg) => {
    if (/Content[ -]Security[ -]Policy/i.test(msg.text())) violations.push(msg.text());
  });
  const response = await page.goto('/acceso');
  expect(response?.headers()['content-security-policy']).toContain("'nonce-");
  expect(response?.headers()['cache-control']).toBe('no-store');
  await hydrated(page);
  await loginAsUser(page, 'autorizado2');
  for (const path of ['/casia/nuevo', '/casia/casos', '/casia/buzon', '/verificacion']) {
    await goto(page, path);
  }
  // A lazily loaded route reached by client-side navigation.
  await goto(page, '/casia');
  await page.getByRole('link', { name: /Gestión de Casos/ }).click();
  await expect(page).toHaveURL(/\/casia\/casos/);
  expect(violations).toEqual([]);
});

// A page of another site cannot make a signed-in browser change anything (CSRF).
test('a form posted from another origin is refused', async ({ page, context }) => {
  await loginAsUser(page, 'autorizado2');
  // Same browser, same cookies, but the request says it comes from elsewhere.
  const r = await context.request.post('/api/logout', { headers: { Origin: 'https://evil.example' } });
  expect(r.status()).toBe(403);
  // Still signed in.
  await goto(page, '/casia');
  await expect(page.getByRole('heading', { name: 'Selección de la acción a realizar' })).toBeVisible();
});
