import { expect, Page, test } from '@playwright/test';
import { execFileSync } from 'child_process';
import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { goto, hydrated, loginAsUser } from './helpers';
import { L } from './helpers';
import { pdf, png } from './files';

/** Fills the classification with the guide's example: Trámite → Afiliación, Altas y Bajas → Bajas trabajadores cuenta ajena. */
async function chooseTramite(page: Page) {
  await page.getByLabel(L('Tipo de Caso')).selectOption({ label: 'Trámite' });
  await page.getByLabel(L('Materia')).selectOption({ label: 'Afiliación, Altas y Bajas' });
  await page.getByLabel(L('Categoría')).selectOption({ label: 'Bajas trabajadores cuenta ajena' });
  const sub = page.getByLabel(L('Subcategoría'));
  const firstValue = await sub.locator('option').nth(1).getAttribute('value');
  await sub.selectOption(firstValue!);
}

async function attach(page: Page, index: number, type: string, title: string, file: { name: string; mimeType: string; buffer: Buffer }) {
  await page.getByRole('button', { name: 'Añadir documento' }).click();
  const row = page.getByTestId('document-row').nth(index);
  await row.getByLabel(L('Tipo')).selectOption({ label: type });
  await row.getByLabel(L('Documento')).setInputFiles(file);
  await expect(row.getByTestId('upload-done')).toBeVisible();
  await row.getByLabel(L('Título')).fill(title);
}

test('open a Trámite with two documents, download its receipt and verify the CEA', async ({ page }) => {
  await loginAsUser(page, 'autorizado2');
  await page.getByRole('link', { name: /Nuevo Caso/ }).click();
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Nuevo Caso' })).toBeVisible();
  await chooseTramite(page);
  // Trámite offers the documentation help of the chosen subcategory.
  await page.getByRole('button', { name: 'Ayuda Documentación' }).click();
  await expect(page.getByTestId('ayuda-documentacion')).toContainText('Documentación a aportar');
  await page.getByText('Sí', { exact: true }).click();
  await page.getByLabel(L('Título')).first().fill('Baja de trabajador por fin de contrato');
  await page.getByLabel(L('Descripción')).fill('Solicitamos la baja con efectos del 30/11 por fin de contrato temporal.');
  await attach(page, 0, 'Contrato de trabajo', 'Contrato firmado', pdf('contrato'));
  await attach(page, 1, 'Captura de pantalla', 'Error en SILTRA', png('captura'));
  await page.getByRole('button', { name: 'Finalizar Alta' }).click();

  await expect(page.getByRole('heading', { name: 'Alta Confirmada' })).toBeVisible();
  const number = (await page.getByTestId('numero-caso').textContent())!.trim();
  expect(number).toMatch(/^\d{4}-\d{7}$/);
  await expect(page.getByText('El alta del caso se ha realizado correctamente.')).toBeVisible();
  const cea = (await page.getByTestId('cea').textContent())!.trim();
  expect(cea).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/);

  // The receipt is a real PDF with the number, the documents and the CEA.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('descargar-justificante').click()]);
  const dir = mkdtempSync(join(tmpdir(), 'casia-receipt-'));
  const file = join(dir, 'justificante.pdf');
  await download.saveAs(file);
  const text = execFileSync('pdftotext', ['-layout', file, '-']).toString();
  expect(text).toContain('Justificante de solicitud de trámite');
  expect(text).toContain(number);
  expect(text).toContain('Contrato firmado');
  expect(text).toContain('captura.png');
  expect(text).toContain(cea);

  // Public verification, signed out, by code and by file.
  await page.context().clearCookies();
  await goto(page, '/verificacion');
  await page.getByLabel(L('Código CEA')).fill(cea.toLowerCase());
  await page.getByRole('button', { name: 'Verificar' }).click();
  await expect(page.getByTestId('verification-result')).toContainText('El documento es auténtico');
  await expect(page.getByTestId('verified-number')).toHaveText(number);
  await expect(page.getByTestId('verified-documents')).toContainText('contrato.pdf');
  await page.getByLabel(L('O bien, seleccione el fichero del justificante')).setInputFiles(file);
  await expect(page.getByTestId('verified-number')).toHaveText(number);
  // A receipt with a byte changed is not authentic.
  const altered = join(dir, 'alterado.pdf');
  const bytes = require('fs').readFileSync(file);
  bytes[bytes.length - 20] ^= 1;
  writeFileSync(altered, bytes);
  await page.getByLabel(L('O bien, seleccione el fichero del justificante')).setInputFiles(altered);
  await expect(page.getByTestId('verification-result')).not.toContainText('auténtico');
});

test('the classification cascades: changing a level clears the levels below it', async ({ page }) => {
  await loginAsUser(page, 'autorizado2');
  await goto(page, '/casia/nuevo');
  const [tipo, materia, categoria, sub] = ['Tipo de Caso', 'Materia', 'Categoría', 'Subcategoría'].map((l) => page.getByLabel(L(l)));
  // Nothing below the type can be chosen before the type.
  await expect(materia).toBeDisabled();
  await chooseTramite(page);
  await expect(sub).not.toHaveValue('');
  // Another subject: its categories, and nothing chosen below it.
  const otherSubject = await materia.locator('option').nth(2).getAttribute('value');
  await materia.selectOption(otherSubject!);
  await expect(categoria).toHaveValue('');
  await expect(categoria).toBeEnabled();
  await expect(categoria.locator('option', { hasText: 'Bajas trabajadores cuenta ajena' })).toHaveCount(0);
  await expect(sub).toHaveValue('');
  await expect(sub).toBeDisabled();
  // Another type: everything below is cleared.
  await tipo.selectOption({ label: 'Consulta' });
  await expect(materia).toHaveValue('');
  await expect(categoria).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Ayuda Documentación' })).toHaveCount(0);
});

test('a missing required field is shown next to it and nothing is sent', async ({ page }) => {
  await loginAsUser(page, 'autorizado2');
  await goto(page, '/casia/nuevo');
  await page.getByLabel(L('Tipo de Caso')).selectOption({ label: 'Consulta' });
  await page.getByLabel(L('Descripción')).fill('Sin título');
  await page.getByRole('button', { name: 'Finalizar Alta' }).click();
  await expect(page.locator('[data-field="title"]')).toHaveText(/Este campo es obligatorio/);
  await expect(page.locator('[data-field="subject_id"]')).toHaveText(/Este campo es obligatorio/);
  await expect(page.getByLabel(L('Título')).first()).toHaveAttribute('aria-invalid', 'true');
  await expect(page).toHaveURL(/\/casia\/nuevo$/);
  // Filling it in clears the message as the user types.
  await page.getByLabel(L('Título')).first().fill('Consulta sobre bonificaciones');
  await expect(page.locator('[data-field="title"]')).toHaveCount(0);
});

test('a file whose content does not match its name is refused with the reason', async ({ page }) => {
  await loginAsUser(page, 'autorizado2');
  await goto(page, '/casia/nuevo');
  await page.getByRole('button', { name: 'Añadir documento' }).click();
  const row = page.getByTestId('document-row').first();
  await row.getByLabel(L('Documento')).setInputFiles({ name: 'contrato.pdf', mimeType: 'application/pdf', buffer: png('x').buffer });
  await expect(row.getByRole('alert')).toContainText('no corresponde a su extensión');
});
