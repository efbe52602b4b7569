import { Browser, expect, Page, test } from '@playwright/test';
import { baseURL, both, DESKTOP, LANGS, openCase, people, PHONE, scan, signedIn, visit } from './a11y';

// axe-core on every screen of every role, in Spanish and English, at desktop and phone width,
// with the forms' errors shown and the panels that open in place (processor action, account
// password, taxonomy editor) open. Any WCAG 2.1 A/AA violation fails the test, listing them all.

const WIDTHS = [
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const;

/** Presses a form's submit button with nothing filled in, so its errors show. */
async function submitEmpty(page: Page, button: RegExp) {
  await page.locator('main').getByRole('button', { name: button }).first().click();
  await expect(page.locator('main [aria-invalid="true"], main .alert-error, main [role="alert"], main .field-error').filter({ visible: true }).first()).toBeVisible();
}

async function userScreens(browser: Browser, lang: 'es' | 'en', viewport: { width: number; height: number }, found: string[]) {
  const who = await people(lang);
  const number = await openCase(who.user, who.authorisation, 'Alta con efectos retroactivos de un trabajador');

  // Before signing in: login (and its errors), verification (and its errors).
  const anon = await browser.newContext({ viewport });
  const a = await anon.newPage();
  await a.request.post('/api/set_language', { form: { lang, back: '/' }, headers: { Origin: baseURL }, maxRedirects: 0 });
  await visit(a, '/acceso');
  await expect(a.locator('html')).toHaveAttribute('lang', lang);
  await scan(a, found, 'login');
  await submitEmpty(a, both('Acceder', 'Sign in'));
  await scan(a, found, 'login with errors');
  await visit(a, '/verificacion');
  await scan(a, found, 'verification');
  await a.locator('main').getByRole('button', { name: both('Verificar', 'Verify') }).first().click();
  await expect(a.locator('main .alert, main [aria-invalid="true"]').first()).toBeVisible();
  await scan(a, found, 'verification with errors');
  await anon.close();

  // The picker, then every screen of the authorised user.
  const picker = await signedIn(browser, who.user, viewport);
  const p = await picker.newPage();
  await visit(p, '/autorizaciones');
  await scan(p, found, 'picker');
  await picker.close();

  const ctx = await signedIn(browser, who.user, viewport, who.authorisation);
  const page = await ctx.newPage();
  for (const [path, what] of [
    ['/casia', 'action selection'],
    [`/casia/casos/${number}/alta`, 'case opened'],
    [`/casia/casos/${number}`, 'case detail'],
    [`/casia/casos/${number}/historico`, 'history'],
    [`/casia/casos/${number}/valorar`, 'rating (not yet possible)'],
    ['/casia/buzon', 'inbox'],
    ['/casia/contacto', 'contact data'],
    ['/cuenta/segundo-factor', 'two-step verification'],
  ]) {
    await visit(page, path);
    await scan(page, found, what);
  }
  await visit(page, '/casia/nuevo');
  await scan(page, found, 'new case');
  await submitEmpty(page, both('Finalizar Alta', 'Submit case'));
  await scan(page, found, 'new case with errors');

  await visit(page, '/casia/casos');
  await page.getByTestId('buscar').click();
  await expect(page.getByTestId('results')).toBeVisible();
  await scan(page, found, 'case search with results');

  await visit(page, `/casia/casos/${number}/modificar`);
  await scan(page, found, 'modify');
  await page.locator('main form button[type="submit"]').first().click();
  await expect(page.locator('main .alert-error, main [aria-invalid="true"]').first()).toBeVisible();
  await scan(page, found, 'modify with errors');

  await visit(page, `/casia/casos/${number}/anular`);
  await scan(page, found, 'cancel');
  await page.locator('main form button[type="submit"]').first().click();
  await expect(page.locator('main .alert, main [aria-invalid="true"]').first()).toBeVisible();
  await scan(page, found, 'cancel submitted');

  await visit(page, '/cuenta');
  await scan(page, found, 'my account');
  await submitEmpty(page, both('Cambiar contraseña', 'Change password'));
  await scan(page, found, 'my account with errors');
  await ctx.close();

  // Staff: a processor on the queue and the case with an action form open and its errors.
  const second = await openCase(who.user, who.authorisation, 'Consulta sobre bonificaciones', false);
  const proc = await signedIn(browser, who.processor, viewport);
  const q = await proc.newPage();
  await visit(q, '/tramitacion');
  await scan(q, found, 'processor queues');
  await visit(q, `/tramitacion/casos/${second}`);
  await scan(q, found, 'processor case');
  // Taken first: an unassigned case offers only the assignment actions.
  await q.getByTestId('actions').getByRole('button', { name: both('Asignarme el caso', 'Take the case') }).click();
  await expect(q.getByTestId('action-done')).toBeVisible();
  await scan(q, found, 'processor case after an action');
  await q.getByTestId('actions').getByRole('button', { name: both('Solicitar información', 'Request information') }).click();
  await expect(q.getByTestId('action-form')).toBeVisible();
  await scan(q, found, 'processor case with action form');
  await q.getByTestId('confirm-action').click();
  await expect(q.locator('main [aria-invalid="true"], main .alert-error').first()).toBeVisible();
  await scan(q, found, 'processor action form with errors');
  await proc.close();

  const sup = await signedIn(browser, who.supervisor, viewport);
  const s = await sup.newPage();
  await visit(s, '/tramitacion/panel');
  await scan(s, found, 'dashboard');
  await sup.close();

  const adm = await signedIn(browser, who.admin, viewport);
  const d = await adm.newPage();
  await visit(d, '/administracion');
  await d.getByTestId('taxonomy-tree').locator('.tree-node').first().click();
  await scan(d, found, 'taxonomy with editor');
  for (const section of ['documentos', 'autorizaciones', 'auditoria']) {
    await visit(d, `/administracion?seccion=${section}`);
    await scan(d, found, `administration ${section}`);
  }
  await visit(d, '/administracion?seccion=cuentas');
  await d.getByTestId('accounts').getByRole('button', { name: both('Nueva contraseña', 'New password') }).first().click();
  await scan(d, found, 'accounts with password panel');
  await submitEmpty(d, both('Crear cuenta', 'Create account'));
  await scan(d, found, 'accounts with errors');
  await adm.close();
}

for (const lang of LANGS) {
  for (const [width, viewport] of WIDTHS) {
    test(`axe: every screen of every role, ${lang}, ${width}`, async ({ browser }) => {
      test.setTimeout(180_000);
      const found: string[] = [];
      await userScreens(browser, lang, viewport, found);
      expect(found, found.join('\n')).toEqual([]);
    });
  }
}
