import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { goto, L, login } from './helpers';

test('the administrator finds an account creation in the audit log and downloads it as CSV', async ({ page }) => {
  await login(page, 'admin');
  await expect(page).toHaveURL(/\/administracion/);

  // An administrative change to look for.
  const username = `auditada${Date.now() % 1_000_000}`;
  await goto(page, '/administracion?seccion=cuentas');
  await page.getByLabel(L('Usuario')).fill(username);
  await page.getByLabel(L('Nombre')).fill('Cuenta Auditada');
  await page.getByLabel(L('Perfil')).selectOption('tramitador');
  await page.getByLabel(L('Contraseña')).fill(`Auditoría-e2e-${Date.now()}-kestrel`);
  await page.getByRole('button', { name: 'Crear cuenta' }).click();
  await expect(page.getByTestId('admin-saved')).toBeVisible();
  await expect(page.getByTestId('accounts')).toContainText(username);

  // Its section of the administration, filtered by that action.
  await page.getByRole('link', { name: 'Registro de auditoría' }).click();
  await expect(page).toHaveURL(/seccion=auditoria/);
  await expect(page.getByRole('heading', { name: 'Registro de auditoría' })).toBeVisible();
  await page.getByLabel(L('Acción')).selectOption('admin.account_created');
  await page.getByRole('button', { name: 'Filtrar' }).click();
  await expect(page).toHaveURL(/accion=admin\.account_created/);
  const row = page.getByTestId('audit-log').locator('tbody tr', { hasText: username });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Cuenta creada');
  await expect(row).toContainText('Correcto');
  await expect(row).toContainText('Administrador');
  await expect(row).toContainText(/\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}/);
  // Only that action is listed.
  const actions = await page.getByTestId('audit-log').locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
  expect(new Set(actions)).toEqual(new Set(['admin.account_created']));

  // The CSV export carries the same filter.
  await expect(page.getByTestId('audit-csv')).toHaveAttribute('href', /accion=admin\.account_created/);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-csv').click()]);
  expect(download.suggestedFilename()).toBe('auditoria.csv');
  const bytes = readFileSync((await download.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.subarray(3).toString('utf-8').split('\r\n').filter((l) => l.length > 0);
  expect(lines[0]).toBe('Fecha y hora;Usuario;Rol;Dirección;Acción;Resultado;Objeto;Detalles;Código de acción');
  const data = lines.slice(1);
  expect(data.some((l) => l.includes(username) && l.includes(';Cuenta creada;Correcto;'))).toBe(true);
  expect(data.every((l) => l.endsWith(';admin.account_created'))).toBe(true);
});

test('a bad date in the audit filter is named next to its field', async ({ page }) => {
  await login(page, 'admin');
  await expect(page).toHaveURL(/\/administracion/);
  await goto(page, '/administracion?seccion=auditoria&desde=2026-02-30');
  await expect(page.locator('[data-field="from"]')).toBeVisible();
  await expect(page.getByTestId('audit-log')).toHaveCount(0);
});
