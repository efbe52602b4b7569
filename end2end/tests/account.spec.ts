import { Browser, expect, Page, test } from '@playwright/test';
import { goto, hydrated, L, login } from './helpers';

// Every test uses an account of its own, created through the administration screens: other
// specs sign in with the demo accounts in parallel, and changing a password or ending
// sessions must not disturb them.

const FIRST_PASSWORD = 'clave inicial de la prueba';
const NEW_PASSWORD = 'otra frase secreta nueva';

async function adminPage(browser: Browser): Promise<Page> {
  const ctx = await browser.newContext();
  const admin = await ctx.newPage();
  await login(admin, 'admin');
  await expect(admin).toHaveURL(/\/administracion/);
  await goto(admin, '/administracion?seccion=cuentas');
  return admin;
}

/** Creates an authorised user's account (no authorisation yet) and returns its username. */
async function createAccount(admin: Page, prefix: string): Promise<string> {
  const username = `${prefix}${Date.now()}`;
  await admin.getByLabel(L('Usuario')).fill(username);
  await admin.getByLabel(L('Nombre')).fill('Persona de Prueba');
  await admin.getByLabel(L('Contraseña')).fill(FIRST_PASSWORD);
  await admin.getByRole('button', { name: 'Crear cuenta' }).click();
  await expect(admin.getByTestId('accounts')).toContainText(username);
  return username;
}

/** A separate browser (own cookies) signed in as `username`, on its account page. */
async function signedIn(browser: Browser, username: string, password: string): Promise<Page> {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await login(page, username, password);
  // No authorisation yet: the picker; the account page is one click away in the header.
  await expect(page).toHaveURL(/\/(autorizaciones|cuenta)/);
  await hydrated(page);
  await page.getByTestId('my-account').click();
  await expect(page).toHaveURL(/\/cuenta$/);
  await expect(page.getByRole('heading', { name: 'Mi cuenta' })).toBeVisible();
  await hydrated(page);
  return page;
}

async function changePassword(page: Page, current: string, next: string) {
  await page.getByLabel('Contraseña actual').fill(current);
  await page.getByLabel('Nueva contraseña', { exact: true }).fill(next);
  await page.getByLabel('Repita la nueva contraseña').fill(next);
  await page.getByRole('button', { name: 'Cambiar contraseña' }).click();
}

test('a person changes their password, which ends their other sessions but not this one', async ({ browser }) => {
  const admin = await adminPage(browser);
  const username = await createAccount(admin, 'e2e-clave-');
  await admin.close();

  const laptop = await signedIn(browser, username, FIRST_PASSWORD);
  const phone = await signedIn(browser, username, FIRST_PASSWORD);
  await laptop.reload();
  await hydrated(laptop);
  await expect(laptop.getByTestId('session-row')).toHaveCount(2);

  // A weak new password is refused next to its field, and nothing changes.
  await changePassword(laptop, FIRST_PASSWORD, 'password1234');
  await expect(laptop.locator('[data-field="new_password"]')).toContainText('demasiado común');
  // A wrong current password is refused next to its field.
  await changePassword(laptop, 'no es la actual', NEW_PASSWORD);
  await expect(laptop.locator('[data-field="current_password"]')).toHaveText('La contraseña no es correcta.');

  await changePassword(laptop, FIRST_PASSWORD, NEW_PASSWORD);
  await expect(laptop.getByTestId('password-changed')).toContainText('Se han cerrado todas sus demás sesiones');
  await expect(laptop.getByTestId('session-row')).toHaveCount(1);
  await expect(laptop.getByTestId('this-session')).toBeVisible();

  // The other browser was signed out; the new password works, the old one does not.
  await phone.goto('/cuenta');
  await expect(phone).toHaveURL(/\/acceso/);
  await login(phone, username, FIRST_PASSWORD);
  await expect(phone.getByTestId('error-banner')).toHaveText('Usuario o contraseña incorrectos.');
  await login(phone, username, NEW_PASSWORD);
  await expect(phone).toHaveURL(/\/autorizaciones/);
  await laptop.close();
  await phone.close();
});

test('the sessions list shows both browsers and one ends the other', async ({ browser }) => {
  const admin = await adminPage(browser);
  const username = await createAccount(admin, 'e2e-sesion-');
  await admin.close();

  const first = await signedIn(browser, username, FIRST_PASSWORD);
  const second = await signedIn(browser, username, FIRST_PASSWORD);
  await first.reload();
  await hydrated(first);
  const rows = first.getByTestId('session-row');
  await expect(rows).toHaveCount(2);
  await expect(first.getByTestId('sessions')).toContainText('Chrome · Linux');
  // Exactly one row is this session, and only the other one can be ended from here.
  await expect(first.getByTestId('this-session')).toHaveCount(1);
  await expect(first.getByTestId('end-session')).toHaveCount(1);
  await first.getByTestId('end-session').click();
  await expect(first.getByTestId('sessions-notice')).toHaveText('La sesión se ha cerrado.');
  await expect(rows).toHaveCount(1);
  await expect(first.getByTestId('no-other-sessions')).toBeVisible();

  await second.goto('/cuenta');
  await expect(second).toHaveURL(/\/acceso/);
  // The first one is still signed in.
  await first.reload();
  await expect(first.getByRole('heading', { name: 'Mi cuenta' })).toBeVisible();

  // "Cerrar todas las demás" ends every other session at once.
  const third = await signedIn(browser, username, FIRST_PASSWORD);
  const fourth = await signedIn(browser, username, FIRST_PASSWORD);
  await first.reload();
  await hydrated(first);
  await expect(rows).toHaveCount(3);
  await first.getByTestId('end-other-sessions').click();
  await expect(first.getByTestId('sessions-notice')).toHaveText('Se han cerrado todas sus demás sesiones.');
  await expect(rows).toHaveCount(1);
  for (const other of [third, fourth]) {
    await other.goto('/cuenta');
    await expect(other).toHaveURL(/\/acceso/);
    await other.close();
  }
  await first.close();
  await second.close();
});

test('after an administrator resets the password the person must choose a new one first', async ({ browser }) => {
  const admin = await adminPage(browser);
  const username = await createAccount(admin, 'e2e-reset-');
  const temporary = 'clave temporal del administrador';
  await admin.getByTestId('accounts').getByRole('row').filter({ hasText: username }).getByRole('button', { name: 'Nueva contraseña' }).click();
  await admin.getByLabel('Nueva contraseña').fill(temporary);
  await admin.getByRole('button', { name: 'Guardar' }).click();
  await expect(admin.getByTestId('admin-saved')).toBeVisible();
  await admin.close();

  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await login(page, username, temporary);
  await expect(page).toHaveURL(/\/cuenta$/);
  await expect(page.getByTestId('password-change-required')).toBeVisible();
  // Every other page sends back here until the password is changed.
  await goto(page, '/autorizaciones');
  await expect(page).toHaveURL(/\/cuenta$/);
  await hydrated(page);
  await changePassword(page, temporary, NEW_PASSWORD);
  await expect(page.getByTestId('password-changed')).toBeVisible();
  await expect(page.getByTestId('password-change-required')).toHaveCount(0);
  await goto(page, '/autorizaciones');
  await expect(page).toHaveURL(/\/autorizaciones$/);
  await page.close();
});
