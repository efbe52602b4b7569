import { expect, test } from '@playwright/test';
import { openCase, people, signedIn, visit } from './a11y';

// The server-rendered <title> of every route is checked over HTTP (server/tests/titles.rs);
// here: the title after navigating in the browser, and the focus on the new page's heading.

test('after client navigation the title names the screen and the focus is on its heading', async ({ browser }) => {
  const who = await people('es');
  const number = await openCase(who.user, who.authorisation, 'Consulta sobre el título de la página', false);
  const ctx = await signedIn(browser, who.user, undefined, who.authorisation);
  const page = await ctx.newPage();
  await visit(page, '/casia');
  await expect(page).toHaveTitle('Selección de la acción a realizar · Casia');

  const headingFocused = () => page.evaluate(() => document.activeElement?.tagName === 'H1' && document.activeElement.closest('main') !== null);
  await page.getByRole('link', { name: /Gestión de Casos/ }).click();
  await expect(page).toHaveURL(/\/casia\/casos$/);
  await expect(page).toHaveTitle('Gestión de Casos · Casia');
  await expect.poll(headingFocused).toBe(true);

  await page.getByTestId('buscar').click();
  await page.getByTestId('results').getByRole('link', { name: number }).click();
  await expect(page).toHaveTitle(`Detalle del caso ${number} · Casia`);
  await expect.poll(headingFocused).toBe(true);
  await expect(page.locator('main h1')).toBeFocused();

  await page.getByRole('link', { name: 'Consulta Histórico' }).click();
  await expect(page).toHaveTitle(`Detalle de los Históricos de un Caso ${number} · Casia`);
  await expect.poll(headingFocused).toBe(true);

  // Back in the browser's history: the title follows.
  await page.goBack();
  await expect(page).toHaveTitle(`Detalle del caso ${number} · Casia`);
  // The header's links too.
  await page.getByRole('link', { name: 'Mi cuenta' }).click();
  await expect(page).toHaveTitle('Mi cuenta · Casia');
  await expect.poll(headingFocused).toBe(true);
  await ctx.close();
});

test('the title is in the language of the page', async ({ browser }) => {
  const who = await people('en');
  const ctx = await signedIn(browser, who.user, undefined, who.authorisation);
  const page = await ctx.newPage();
  await visit(page, '/casia');
  await expect(page).toHaveTitle('Choose what to do · Casia');
  await page.getByRole('link', { name: /Inbox/ }).first().click();
  await expect(page).toHaveTitle('Inbox · Casia');
  await ctx.close();
});
