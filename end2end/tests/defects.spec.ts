// Issue #16, "Defects found": each test shows one defect a new user met, as the browser
// shows it (the server-side rules have their service and HTTP tests).
import { Browser, expect, Page, test } from '@playwright/test';
import { classify, openCase, signIn, goto, hydrated, L, login, loginAsUser } from './helpers';
import { pdf, png } from './files';

async function signedIn(browser: Browser, username: string): Promise<Page> {
  const page = await browser.newPage();
  await signIn(page, username);
  return page;
}

/** Whether `selector`'s content fits its box (no column pushed out of sight). */
async function fits(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).first().evaluate((el) => el.scrollWidth <= el.clientWidth + 1);
}

// One account (tramitador2, used by no other spec) and one test: the language is the account's.
test('D2: the language switch changes the whole page while signed in; English chosen at login is kept', async ({ page }) => {
  await login(page, 'tramitador2');
  await expect(page).toHaveURL(/\/tramitacion/);
  await hydrated(page);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('.brand-text')).toContainText('Authorised User Support');
  await expect(page.locator('footer')).toContainText('open-source support service');
  await page.reload();
  await hydrated(page);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('footer')).toContainText('open-source support service');
  await page.getByRole('button', { name: 'Español' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await expect(page.locator('footer')).toContainText('servicio de código abierto');
  await hydrated(page);
  await page.getByRole('button', { name: 'Salir' }).click();
  await expect(page).toHaveURL(/\/acceso/);

  // Signed out, the account's language is Spanish: English chosen here is kept at login.
  await hydrated(page);
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await hydrated(page);
  await page.getByLabel('Username').fill('tramitador2');
  await page.getByLabel('Password').fill('casia-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/tramitacion/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.locator('footer')).toContainText('open-source support service');
  await hydrated(page);
  await page.getByRole('button', { name: 'Español' }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
});

test('D15: an empty login says the fields are required', async ({ page }) => {
  await goto(page, '/acceso');
  await page.getByRole('button', { name: 'Acceder' }).click();
  await expect(page.locator('[data-field="username"]')).toHaveText('Este campo es obligatorio.');
  await expect(page.locator('[data-field="password"]')).toHaveText('Este campo es obligatorio.');
  await expect(page.getByText('Usuario o contraseña incorrectos.')).toHaveCount(0);
});

test('D15: a row added after a failed send is not red; a refused file is not also "obligatorio"', async ({ page }) => {
  await loginAsUser(page, 'autorizado2');
  await goto(page, '/casia/nuevo');
  await page.getByRole('button', { name: 'Añadir documento' }).click();
  const first = page.getByTestId('document-row').first();
  await first.getByLabel(L('Documento')).setInputFiles({ name: 'contrato.pdf', mimeType: 'application/pdf', buffer: png('x').buffer });
  await expect(first.getByRole('alert')).toContainText('no corresponde a su extensión');
  await page.getByRole('button', { name: 'Finalizar Alta' }).click();
  await expect(page.locator('[data-field="title"]')).toHaveText(/Este campo es obligatorio/);
  await expect(first.locator('[data-field="documents.0.file"]')).toHaveCount(0);
  await expect(first.getByLabel(L('Documento'))).toHaveAttribute('aria-invalid', 'true');
  // A new row: nothing marked until the next try.
  await page.getByRole('button', { name: 'Añadir documento' }).click();
  const second = page.getByTestId('document-row').nth(1);
  await expect(second.locator('.field-error')).toHaveCount(0);
  await expect(second.locator('[aria-invalid="true"]')).toHaveCount(0);
  await page.getByRole('button', { name: 'Finalizar Alta' }).click();
  await expect(second.locator('[data-field="documents.1.title"]')).toHaveText(/Este campo es obligatorio/);
});

test('D12: Modificar Información sent empty asks only for what the form has', async ({ page }) => {
  await loginAsUser(page, 'autorizado2');
  const number = await openCase(page, 'Consulta', 'Consulta para modificar vacía');
  await goto(page, `/casia/casos/${number}/modificar`);
  await page.getByRole('button', { name: 'Enviar' }).click();
  await expect(page.locator('[data-field="information"]')).toHaveText('Indique información adicional o anexe algún documento.');
});

test('D13: after a conflict the modify page shows the case as it is now, with the message', async ({ page, browser }) => {
  await loginAsUser(page, 'autorizado2');
  const number = await openCase(page, 'Consulta', 'Consulta que cambia mientras se modifica');
  await goto(page, `/casia/casos/${number}/modificar`);
  await expect(page.getByText('Subestado: Presentado')).toBeVisible();
  await page.getByLabel(L('Información adicional')).fill('Texto que no se pierde');
  const proc = await signedIn(browser, 'tramitador1');
  await goto(proc, `/tramitacion/casos/${number}`);
  await proc.getByTestId('actions').getByRole('button', { name: 'Asignarme el caso', exact: true }).click();
  await expect(proc.getByTestId('action-done')).toBeVisible();
  await page.getByRole('button', { name: 'Enviar' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'El caso ha cambiado' })).toBeVisible();
  await expect(page.getByText('Subestado: Asignado')).toBeVisible();
  await expect(page.getByLabel(L('Información adicional'))).toHaveValue('Texto que no se pierde');
  await proc.close();
});

test('D6: a double click on Enviar valoración shows only the thank-you', async ({ page }) => {
  await loginAsUser(page, 'autorizado2');
  const number = await openCase(page, 'Consulta', 'Consulta anulada para valorar');
  await goto(page, `/casia/casos/${number}/anular`);
  await page.getByRole('button', { name: 'Confirmar la solicitud de anulación' }).click();
  await expect(page.getByTestId('cancel-outcome')).toBeVisible();
  await goto(page, `/casia/casos/${number}/valorar`);
  await page.getByLabel(L('4')).check();
  await page.getByRole('button', { name: 'Enviar valoración' }).dblclick();
  await expect(page.getByTestId('rating-done')).toBeVisible();
  await page.waitForTimeout(1000);
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
});

test('D7, D8, D9: administration answers every change where it was made', async ({ page }) => {
  await login(page, 'admin');
  await expect(page).toHaveURL(/\/administracion/);
  await hydrated(page);
  // The taxonomy: a save is confirmed and the open branch stays open.
  const tramite = page.getByTestId('taxonomy-tree').locator('details').filter({ has: page.locator('summary', { hasText: 'Trámite' }) });
  await tramite.locator('summary').click();
  await expect(tramite).toHaveAttribute('open', '');
  await tramite.locator('.tree-node').first().click();
  await page.locator('.editor').getByRole('button', { name: 'Guardar' }).first().click();
  await expect(page.getByTestId('admin-saved')).toBeVisible();
  await expect(tramite).toHaveAttribute('open', '');

  // Deactivating one's own account: refused, and said so.
  await goto(page, '/administracion?seccion=cuentas');
  await page.getByLabel('Usuario o nombre').fill('admin');
  await page.getByRole('button', { name: 'Filtrar' }).click();
  const own = page.getByTestId('accounts').locator('tr').filter({ hasText: 'Administrador del Servicio' });
  await own.getByRole('button', { name: 'Desactivar' }).click();
  await expect(page.getByTestId('accounts-refused')).toContainText('No puede desactivar su propia cuenta');

  // Añadir usuario with a username nobody has: the answer is under that card.
  await goto(page, '/administracion?seccion=autorizaciones');
  const cards = page.getByTestId('authorisation');
  const first = cards.first();
  await first.getByLabel('Nombre de usuario que se añade a la autorización').fill('nadie.con.este.nombre');
  await first.getByRole('button', { name: 'Añadir usuario' }).click();
  await expect(first.locator('[data-field="username"]')).toHaveText('No existe ninguna cuenta con este nombre de usuario.');
  await expect(cards.nth(1).locator('[data-field="username"]')).toHaveCount(0);
});

test('D14: a mistyped queue filter is named next to its field', async ({ page }) => {
  await login(page, 'tramitador1');
  await expect(page).toHaveURL(/\/tramitacion/);
  await hydrated(page);
  await page.getByLabel('Nº Autorización').fill('abc');
  await page.getByRole('button', { name: 'Filtrar' }).click();
  await expect(page.locator('[data-field="authorisation"]')).toContainText('solo lleva cifras');
  await page.getByLabel('Nº Autorización').fill('');
  await page.getByLabel('Fecha de Alta Desde').fill('2026-11-20');
  await page.getByLabel('Fecha de Alta Hasta').fill('2026-11-02');
  await page.getByRole('button', { name: 'Filtrar' }).click();
  await expect(page.locator('[data-field="to"]')).toContainText('no puede ser posterior');
  await expect(page.getByTestId('queue-empty')).toHaveCount(0);
});

test('D10: the dashboard writes Spanish numbers, fits a phone and has no empty scroll', async ({ browser }) => {
  const sup = await signedIn(browser, 'supervisor1');
  await goto(sup, '/tramitacion/panel');
  for (const id of ['kpi-hours', 'kpi-rating']) {
    await expect(sup.getByTestId(id)).not.toContainText('.');
  }
  // Every label of the substate chart starts inside the drawing.
  const clipped = await sup.getByTestId('chart-substates').locator('svg').evaluate((svg) =>
    Array.from(svg.querySelectorAll('text')).filter((t) => (t as SVGTextElement).getBBox().x < 0).length);
  expect(clipped).toBe(0);
  await sup.setViewportSize({ width: 390, height: 844 });
  await sup.reload();
  await hydrated(sup);
  expect(await sup.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  // Empty scroll: page height beyond the page's footer (a page shorter than the screen has none).
  const below = await sup.evaluate(() => {
    const footers = document.querySelectorAll('footer');
    const end = footers[footers.length - 1].getBoundingClientRect().bottom + window.scrollY;
    return document.documentElement.scrollHeight - Math.max(end, window.innerHeight);
  });
  expect(below).toBeLessThanOrEqual(1);
  await sup.close();
});

test('D11: one long word wraps in its cell: queue and documents keep every column in sight', async ({ page, browser }) => {
  const word = 'Supercalifragilisticoespialidoso'.repeat(4);
  await loginAsUser(page, 'autorizado2');
  await goto(page, '/casia/nuevo');
  await classify(page, 'Consulta');
  await page.getByLabel(L('Título')).first().fill(word);
  await page.getByLabel(L('Descripción')).fill('Una palabra muy larga');
  await page.getByRole('button', { name: 'Añadir documento' }).click();
  const row = page.getByTestId('document-row').first();
  await row.getByLabel(L('Tipo')).selectOption({ index: 1 });
  await row.getByLabel(L('Documento')).setInputFiles(pdf('documento'));
  await expect(row.getByTestId('upload-done')).toBeVisible();
  await row.getByLabel(L('Título')).fill(word);
  await page.getByRole('button', { name: 'Finalizar Alta' }).click();
  await expect(page.getByRole('heading', { name: 'Alta Confirmada' })).toBeVisible();
  const number = (await page.getByTestId('numero-caso').textContent())!.trim();
  await goto(page, `/casia/casos/${number}`);
  expect(await fits(page, '.table-wrap:has([data-testid="documents"])')).toBe(true);

  const proc = await signedIn(browser, 'tramitador1');
  await goto(proc, '/tramitacion?bandeja=sin_asignar&autorizacion=0654321&orden=newest');
  await expect(proc.getByTestId('queue')).toContainText(number);
  expect(await fits(proc, '.table-wrap:has([data-testid="queue"])')).toBe(true);
  await proc.close();
});

test('D16: without the page code a notice says so, and signing in still works', async ({ page }) => {
  await page.route('**/*.wasm', (route) => route.abort());
  await page.goto('/acceso');
  await expect(page.getByTestId('hydration-notice')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('hydration-notice')).toContainText('no ha terminado de cargarse');
  await page.getByLabel(L('Usuario')).fill('autorizado2');
  await page.getByLabel(L('Contraseña')).fill('casia-demo');
  await page.getByRole('button', { name: 'Acceder' }).click();
  await expect(page).toHaveURL(/\/casia$/);
});

test('D16: with the page code the notice never shows', async ({ page }) => {
  await goto(page, '/acceso');
  await page.waitForTimeout(9000);
  await expect(page.getByTestId('hydration-notice')).toBeHidden();
});
