import { createHmac } from 'node:crypto';
import { expect, Page, test } from '@playwright/test';
import { goto, hydrated, login } from './helpers';

/** RFC 4648 base32 (no padding) to bytes. */
function base32(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) {
    const index = alphabet.indexOf(c);
    if (index < 0) throw new Error(`not base32: ${c}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The code an authenticator app shows (RFC 6238: HMAC-SHA-1, 30 s steps, 6 digits). */
function totp(secret: string, atMillis = Date.now()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMillis / 1000 / 30)));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  return String(number % 1_000_000).padStart(6, '0');
}

test('the RFC 6238 test vector', () => {
  // Appendix B, SHA-1, T = 59 s: 94287082 (the app shows the last six digits).
  expect(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 59_000)).toBe('287082');
});

/** A processor account of its own (no other spec signs in with it), made by the administrator. */
async function newProcessor(page: Page): Promise<{ username: string; password: string }> {
  const username = `mfa${Date.now()}`;
  const password = 'Verificacion-2-pasos!';
  await login(page, 'admin');
  await expect(page).toHaveURL(/\/administracion/);
  await goto(page, '/administracion?seccion=cuentas');
  await page.locator('#u-name').fill(username);
  await page.locator('#u-full').fill('Tramitadora Dos Pasos');
  await page.locator('#u-role').selectOption('tramitador');
  await page.locator('#u-pass').fill(password);
  await page.getByRole('button', { name: 'Crear cuenta' }).click();
  await expect(page.getByRole('cell', { name: username, exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Salir' }).click();
  await expect(page).toHaveURL(/\/acceso/);
  return { username, password };
}

test('a processor turns on two-step verification and then signs in with a code', async ({ page }) => {
  const { username, password } = await newProcessor(page);

  // The demo runs with the second factor optional: the password alone lets them in.
  await login(page, username, password);
  await expect(page).toHaveURL(/\/tramitacion/);
  await hydrated(page);
  await page.getByRole('link', { name: 'Verificación en dos pasos' }).click();
  await expect(page).toHaveURL(/\/cuenta\/segundo-factor$/);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Verificación en dos pasos', level: 1 })).toBeVisible();
  await expect(page.getByTestId('mfa-off')).toBeVisible();
  await page.getByRole('button', { name: 'Activar la verificación en dos pasos' }).click();

  // The QR code and the key to type: the test is the authenticator app.
  await expect(page.locator('.qr svg')).toBeVisible();
  const key = (await page.getByTestId('manual-key').textContent())!.trim();
  expect(key).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
  const secret = key.replace(/\s/g, '');

  // A wrong code first: told so next to the field, nothing turned on.
  await page.locator('#mfa-code').fill('000000');
  await page.getByRole('button', { name: 'Confirmar y activar' }).click();
  await expect(page.locator('[data-field="code"]')).toContainText('El código no es correcto');
  await page.locator('#mfa-code').fill(totp(secret));
  await page.getByRole('button', { name: 'Confirmar y activar' }).click();

  // The ten recovery codes, shown once, with the warning to keep them.
  const codes = page.getByTestId('recovery-codes');
  await expect(codes).toContainText('Guárdelos en un lugar seguro');
  await expect(page.getByTestId('recovery-code')).toHaveCount(10);
  await expect(page.getByTestId('mfa-on')).toBeVisible();
  await expect(page.getByTestId('codes-left')).toHaveText('10');

  await page.getByRole('button', { name: 'Salir' }).click();
  await expect(page).toHaveURL(/\/acceso/);

  // Signing in again: the password, then a code (the next step's: the one used to confirm
  // cannot be used twice).
  await login(page, username, password);
  await expect(page).toHaveURL(/\/acceso\/segundo-factor/);
  await hydrated(page);
  // Nothing else opens meanwhile.
  await goto(page, '/tramitacion');
  await expect(page).toHaveURL(/\/acceso\/segundo-factor/);
  await hydrated(page);
  await page.locator('#code').fill(totp(secret, Date.now() + 30_000));
  await page.getByRole('button', { name: 'Continuar' }).click();
  await expect(page).toHaveURL(/\/tramitacion/);
  await expect(page.getByTestId('nombre')).toContainText('Tramitadora Dos Pasos');
});
