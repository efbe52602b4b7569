import { expect, test } from '@playwright/test';
import { goto, L } from './helpers';

test('verifying without a code marks the CEA field with its message', async ({ page }) => {
  await goto(page, '/verificacion');
  await page.getByRole('button', { name: 'Verificar' }).click();
  const field = page.getByLabel(L('Código CEA'));
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#err-cea')).toHaveText('Este campo es obligatorio.');
  await expect(page.getByTestId('verification-result')).toHaveCount(0);
  // Typing a code and trying again clears the mark.
  await field.fill('0000-0000-0000-0000-0000');
  await page.getByRole('button', { name: 'Verificar' }).click();
  await expect(page.getByTestId('verification-result')).toBeVisible();
  await expect(page.locator('#err-cea')).toHaveCount(0);
  await expect(field).toHaveAttribute('aria-invalid', 'false');
});
