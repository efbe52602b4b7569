import { expect, test } from '@playwright/test';
import { goto, login, loginAsUser } from './helpers';
import { L } from './helpers';

test('a user with two authorisations picks one and reaches the action selection', async ({ page }) => {
  await login(page, 'autorizado1');
  await expect(page).toHaveURL(/\/autorizaciones$/);
  await expect(page.getByRole('heading', { name: 'Identificación y selección del autorizado' })).toBeVisible();
  await expect(page.getByRole('button', { name: '0123456' })).toBeVisible();
  await page.getByRole('button', { name: '0654321' }).click();
  await expect(page).toHaveURL(/\/casia$/);
  // The guide's header: Razón Social, Nº Autorización, NIF, Nombre.
  await expect(page.getByTestId('razon-social')).toHaveText('Laboral Norte Consultores, S.A.');
  await expect(page.getByTestId('num-autorizacion')).toHaveText('0654321');
  await expect(page.getByTestId('nombre')).toContainText('Juan Español Español');
  await expect(page.getByRole('link', { name: /Nuevo Caso/ })).toBeVisible();
  await expect(page.getByRole('link', { name: /Gestión de Casos/ })).toBeVisible();
  // Changing authorisation goes back to the picker.
  await page.getByRole('link', { name: 'Cambiar de autorización' }).click();
  await expect(page).toHaveURL(/\/autorizaciones$/);
});

test('a user with one authorisation skips the picker', async ({ page }) => {
  await loginAsUser(page, 'autorizado2');
  await expect(page.getByTestId('num-autorizacion')).toHaveText('0654321');
});

test('a wrong password gets a clear message and nothing else happens', async ({ page }) => {
  await login(page, 'autorizado2', 'no-es-la-clave');
  await expect(page.getByTestId('error-banner')).toHaveText('Usuario o contraseña incorrectos.');
  await expect(page).toHaveURL(/\/acceso/);
  await expect(page.getByLabel(L('Usuario'))).toHaveValue('autorizado2');
});

test('a processor cannot open the authorised user screens', async ({ page }) => {
  await login(page, 'tramitador1');
  await expect(page).toHaveURL(/\/tramitacion/);
  const response = await page.goto('/casia');
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'Acceso no permitido' })).toBeVisible();
});

test('pages need a session and come back after login', async ({ page }) => {
  await goto(page, '/casia');
  await expect(page).toHaveURL(/\/acceso\?next=\/casia/);
  await page.getByLabel(L('Usuario')).fill('autorizado2');
  await page.getByLabel(L('Contraseña')).fill('casia-demo');
  await page.getByRole('button', { name: 'Acceder' }).click();
  await expect(page).toHaveURL(/\/casia$/);
});

test('Salir ends the session', async ({ page }) => {
  await loginAsUser(page, 'autorizado2');
  await page.getByRole('button', { name: 'Salir' }).click();
  await expect(page).toHaveURL(/\/acceso\?salida=1/);
  await expect(page.getByText('Ha salido del servicio.')).toBeVisible();
  await page.goto('/casia');
  await expect(page).toHaveURL(/\/acceso/);
});

test('the interface switches to English and back', async ({ page }) => {
  await goto(page, '/acceso');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByRole('button', { name: 'Español' }).click();
  await expect(page.getByRole('heading', { name: 'Acceso al servicio' })).toBeVisible();
});
