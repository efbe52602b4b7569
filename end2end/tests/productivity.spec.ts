import { expect, Page, test } from '@playwright/test';
import { readFileSync } from 'fs';
import { asProcessor, goto, hydrated, L, loginAsUser } from './helpers';
import { pdf } from './files';

/** Opens a Consulta with this title and description as the signed-in authorised user, with a
 * PDF attached; returns its number. */
async function openWith(page: Page, title: string, description: string): Promise<string> {
  await goto(page, '/casia/nuevo');
  await page.getByLabel(L('Tipo de Caso')).selectOption({ label: 'Consulta' });
  for (const level of ['Materia', 'Categoría', 'Subcategoría']) {
    const select = page.getByLabel(L(level));
    if (await select.isEnabled()) {
      await select.selectOption((await select.locator('option').nth(1).getAttribute('value'))!);
    }
  }
  await page.getByText('No', { exact: true }).click();
  await page.getByLabel(L('Título')).first().fill(title);
  await page.getByLabel(L('Descripción')).fill(description);
  await page.getByRole('button', { name: 'Añadir documento' }).click();
  const row = page.getByTestId('document-row').nth(0);
  await row.getByLabel(L('Tipo')).selectOption({ index: 1 });
  await row.getByLabel(L('Documento')).setInputFiles(pdf('justificante-pago'));
  await expect(row.getByTestId('upload-done')).toBeVisible();
  await row.getByLabel(L('Título')).fill('Justificante de pago');
  await page.getByRole('button', { name: 'Finalizar Alta' }).click();
  await expect(page.getByRole('heading', { name: 'Alta Confirmada' })).toBeVisible();
  return (await page.getByTestId('numero-caso').textContent())!.trim();
}

test('search finds a case by a stemmed word without accents, highlights it, and the user sees only theirs', async ({ page, browser }) => {
  await loginAsUser(page, 'autorizado2');
  const word = `zarzuel${Date.now() % 100000}`;
  const number = await openWith(page, `Cuota no reflejada ${word}`, `La cotización del día 31 <b>no</b> aparece. ${word}`);

  // The authorised user: Gestión de Casos, beside the guide's two options.
  await goto(page, '/casia/casos');
  await page.getByLabel(L('Palabras a buscar')).fill(`reflejado dia ${word}`);
  await page.getByTestId('buscar-texto').click();
  await expect(page).toHaveURL(/texto=/);
  const results = page.getByTestId('text-results');
  await expect(results.getByRole('link', { name: number })).toBeVisible();
  await expect(results.locator('mark').first()).toHaveText(/reflejada|día/);
  // The fragment shows markup as text, it never runs it.
  await expect(results.locator('b')).toHaveCount(0);

  // Another authorisation's user does not find it.
  const other = await browser.newPage();
  await loginAsUser(other, 'autorizado1', '0123456');
  await goto(other, `/casia/casos?texto=${word}`);
  await expect(other.getByTestId('no-text-results')).toBeVisible();

  // A processor, from the queue: the words within the queue, then the results' CSV.
  const staff = await asProcessor(browser);
  await hydrated(staff);
  await staff.getByLabel('Buscar en los casos').fill(`REFLEJADAS ${word}`);
  await staff.getByRole('button', { name: 'Buscar', exact: true }).first().click();
  await expect(staff).toHaveURL(/\/tramitacion\/buscar\?texto=/);
  await hydrated(staff);
  const hits = staff.getByTestId('text-results');
  await expect(hits.getByRole('link', { name: number })).toBeVisible();
  await expect(hits.locator('mark').first()).toBeVisible();
  const [download] = await Promise.all([staff.waitForEvent('download'), staff.getByTestId('export-csv').click()]);
  expect(download.suggestedFilename()).toBe('busqueda.csv');
  const bytes = readFileSync((await download.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.subarray(3).toString('utf-8').split('\r\n').filter((l) => l.length > 0);
  const header = lines[0].split(';');
  expect(header.slice(0, 3)).toEqual(['Número de Caso', 'Fecha y Hora de Alta', 'Nº Autorización']);
  const row = lines.slice(1).map((l) => l.split(';')).find((cells) => cells[0] === number);
  expect(row).toBeTruthy();
  expect(row![2]).toBe('0654321');
  expect(row![1]).toMatch(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}$/);
});

test('a PDF opens in a sandboxed preview beside the case, and can still be downloaded', async ({ page }) => {
  await loginAsUser(page, 'autorizado2');
  const number = await openWith(page, 'Consulta con justificante', 'Adjunto el justificante.');
  await goto(page, `/casia/casos/${number}`);
  await page.getByTestId('preview').first().click();
  const panel = page.getByTestId('preview-panel');
  await expect(panel).toBeVisible();
  const frame = panel.locator('iframe');
  await expect(frame).toHaveAttribute('sandbox', '');
  const src = (await frame.getAttribute('src'))!;
  expect(src).toMatch(/^\/api\/documentos\/\d+\/vista$/);
  // What the frame loads: inline, in a sandbox of its own, and only as a PDF.
  const r = await page.request.get(src);
  expect(r.status()).toBe(200);
  expect(r.headers()['content-type']).toBe('application/pdf');
  expect(r.headers()['content-disposition']).toMatch(/^inline;/);
  expect(r.headers()['content-security-policy']).toBe('sandbox');
  await expect(panel.getByRole('link', { name: 'Descargar' })).toHaveAttribute('href', src.replace('/vista', ''));
  await panel.getByRole('button', { name: 'Cerrar vista previa' }).click();
  await expect(panel).toHaveCount(0);
});
