import { expect, test } from '@playwright/test';
import { classify, goto, hydrated, L, loginAsUser } from './helpers';

test('the inbox shows a notice after a case is opened, and marks it read', async ({ page }) => {
  await loginAsUser(page, 'autorizado1', '0123456');
  const before = Number(await page.getByTestId('unread-count').textContent());
  await goto(page, '/casia/nuevo');
  await classify(page, 'Consulta');
  await page.getByLabel(L('Título')).first().fill('Consulta para el buzón');
  await page.getByLabel(L('Descripción')).fill('Comprobación del aviso de alta.');
  await page.getByRole('button', { name: 'Finalizar Alta' }).click();
  const number = (await page.getByTestId('numero-caso').textContent())!.trim();

  await page.getByRole('link', { name: /Buzón/ }).click();
  await hydrated(page);
  await expect(page.getByTestId('unread-count')).toHaveText(String(before + 1));
  const notice = page.getByTestId('notice').filter({ hasText: number }).first();
  await expect(notice).toContainText('Alta de caso');
  await notice.getByRole('button', { name: 'Marcar como leído' }).click();
  await expect(notice.getByRole('button', { name: 'Marcar como leído' })).toHaveCount(0);
  await expect(page.getByTestId('unread-count')).toHaveText(String(before));
  await notice.getByRole('link', { name: 'Ver el caso' }).click();
  await expect(page.getByTestId('detail-number')).toHaveText(number);
});

test('the main user changes the contact email (with the password); other users only look', async ({ page, browser }) => {
  await loginAsUser(page, 'autorizado1', '0123456');
  await goto(page, '/casia/contacto');
  await expect(page.getByRole('heading', { name: 'Consulta/Modificación de datos de contacto' })).toBeVisible();
  await page.getByLabel(L('Correo electrónico')).fill('nuevo-aviso@gestoria-espanola.example');
  await page.getByRole('button', { name: 'Guardar' }).click();
  await expect(page.locator('[data-field="password"]')).toContainText('La contraseña no es correcta.');
  await page.getByLabel(L('Contraseña (necesaria para cambiar la dirección)')).fill('casia-demo');
  await page.getByRole('button', { name: 'Guardar' }).click();
  await expect(page.getByTestId('contact-saved')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel(L('Correo electrónico'))).toHaveValue('nuevo-aviso@gestoria-espanola.example');
  // An invalid address is refused next to the field.
  await hydrated(page);
  await page.getByLabel(L('Correo electrónico')).fill('no-es-un-correo');
  await page.getByRole('button', { name: 'Guardar' }).click();
  await expect(page.locator('[data-field="email"]')).toContainText('dirección de correo electrónico válida');

  // autorizado1 is not the main user of 0654321: view only.
  const other = await browser.newPage();
  await loginAsUser(other, 'autorizado1', '0654321');
  await goto(other, '/casia/contacto');
  await expect(other.getByText('Solo el usuario principal')).toBeVisible();
  await expect(other.getByRole('button', { name: 'Guardar' })).toHaveCount(0);
  await other.close();
});
