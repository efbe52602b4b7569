import { expect, Page, test } from '@playwright/test';
import { goto, hydrated, loginAsUser, openCase } from './helpers';
import { L } from './helpers';
import { pdf } from './files';

/** Opens a Consulta through the form and returns its number. */
const openConsulta = (page: Page, title: string) => openCase(page, 'Consulta', title);

test('a search across two months shows the rule and disables the button', async ({ page }) => {
  await loginAsUser(page, 'autorizado2');
  await page.getByRole('link', { name: /Gestión de Casos/ }).click();
  await hydrated(page);
  const button = page.getByTestId('buscar');
  await expect(button).toBeEnabled();
  await page.getByLabel(L('Fecha de Alta Desde')).fill('2026-10-15');
  await page.getByLabel(L('Fecha de Alta Hasta')).fill('2026-11-14');
  await expect(page.locator('[data-field="to"]')).toHaveText(/dentro de un mes natural/);
  await expect(button).toBeDisabled();
  await page.getByLabel(L('Fecha de Alta Desde')).fill('2026-11-01');
  await expect(page.locator('[data-field="to"]')).toHaveCount(0);
  await expect(button).toBeEnabled();
  // Closed cases only offer the closed substates.
  await page.getByLabel(L('Estado')).selectOption({ label: 'Cerrado' });
  await expect(page.getByLabel(L('Subestado')).locator('option')).toHaveText(['Todos', 'Resuelto', 'Anulado']);
});

test('find a case by number and by filters, add a document, see the history', async ({ page }) => {
  await loginAsUser(page, 'autorizado2');
  const number = await openConsulta(page, 'Consulta sobre altas con efectos retroactivos');

  // Opción 2: this month, open cases; the number links to the detail.
  await goto(page, '/casia/casos');
  await page.getByTestId('buscar').click();
  await expect(page).toHaveURL(/estado=abierto/);
  const link = page.getByTestId('results').getByRole('link', { name: number });
  await expect(link).toBeVisible();
  await link.click();
  await expect(page.getByTestId('detail-number')).toHaveText(number);
  await expect(page.getByTestId('detail-substate')).toHaveText('Presentado');
  // The browser's back button returns to the results.
  await page.goBack();
  await expect(page.getByTestId('results')).toBeVisible();

  // Opción 1: straight to the detail.
  await page.getByLabel(L('Número de Caso')).fill(number);
  await page.getByRole('button', { name: 'Consultar' }).click();
  await expect(page.getByTestId('detail-number')).toHaveText(number);

  // Modificar Información with a document.
  await page.getByRole('link', { name: 'Modificar Información' }).click();
  await hydrated(page);
  await page.getByLabel(L('Información adicional')).fill('Adjunto el certificado de empresa.');
  await page.getByRole('button', { name: 'Añadir documento' }).click();
  const row = page.getByTestId('document-row').first();
  await row.getByLabel(L('Tipo')).selectOption({ label: 'Certificado de empresa' });
  await row.getByLabel(L('Documento')).setInputFiles(pdf('certificado'));
  await expect(row.getByTestId('upload-done')).toBeVisible();
  await page.getByRole('button', { name: 'Enviar' }).click();
  await expect(page.getByTestId('modify-done')).toContainText('La información se ha añadido al caso.');
  await page.getByRole('link', { name: 'Volver al caso' }).click();
  await expect(page.getByTestId('documents')).toContainText('certificado.pdf');
  await expect(page.getByTestId('messages')).toContainText('Adjunto el certificado de empresa.');

  await page.getByRole('link', { name: 'Consulta Histórico' }).click();
  await expect(page.getByRole('heading', { name: 'Detalle de los Históricos de un Caso' })).toBeVisible();
  const rows = page.getByTestId('history').locator('tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('Abierto');
  await expect(rows.nth(0)).toContainText('Presentado');
  await expect(rows.nth(1)).toContainText('Adjunto el certificado de empresa.');
});

test('cancelling a Presentado case is immediate, then it can be rated once', async ({ page }) => {
  await loginAsUser(page, 'autorizado2');
  const number = await openConsulta(page, 'Caso abierto por error');
  await goto(page, `/casia/casos/${number}`);
  await page.getByRole('link', { name: 'Solicitar Anulación' }).click();
  await hydrated(page);
  await expect(page.getByText('anulación inmediata')).toBeVisible();
  await page.getByLabel(L('Motivo (opcional)')).fill('Duplicado');
  await page.getByRole('button', { name: 'Confirmar la solicitud de anulación' }).click();
  await expect(page.getByTestId('cancel-outcome')).toHaveText('El caso ha sido anulado (Cerrado/Anulado).');
  await page.getByRole('link', { name: 'Volver al caso' }).click();
  await expect(page.getByTestId('detail-state')).toHaveText('Cerrado');
  await expect(page.getByTestId('detail-substate')).toHaveText('Anulado');
  // Closed: no modification or cancellation offered.
  await expect(page.getByRole('link', { name: 'Modificar Información' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Solicitar Anulación' })).toHaveCount(0);

  await page.getByRole('link', { name: 'Valoración' }).click();
  await hydrated(page);
  await page.getByRole('button', { name: 'Enviar valoración' }).click();
  await expect(page.locator('[data-field="score"]')).toHaveText(/obligatorio/);
  await page.getByLabel(L('4')).check();
  await page.getByLabel(L('Observaciones')).fill('Anulación inmediata, sin problemas.');
  await page.getByRole('button', { name: 'Enviar valoración' }).click();
  await expect(page.getByTestId('rating-done')).toBeVisible();
  await page.getByRole('link', { name: 'Volver al caso' }).click();
  await expect(page.getByTestId('rating')).toHaveText('Puntuación: 4 / 5');
  await expect(page.getByRole('link', { name: 'Valoración' })).toHaveCount(0);
});

test('another authorisation\'s case is not found, even with its number', async ({ page, browser }) => {
  await loginAsUser(page, 'autorizado2');
  const number = await openConsulta(page, 'Caso privado de Laboral Norte');
  const other = await browser.newPage();
  await loginAsUser(other, 'autorizado1', '0123456');
  const response = await other.goto(`/casia/casos/${number}`);
  expect(response?.status()).toBe(404);
  await expect(other.getByRole('alert')).toContainText('No se ha encontrado');
  await other.close();
});
