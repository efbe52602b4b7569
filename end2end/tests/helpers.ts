import { expect, Page } from '@playwright/test';

export const PASSWORD = 'casia-demo';

/** A label's exact text, with or without the required-field marker `(*)`. */
export function L(text: string): RegExp {
  return new RegExp('^' + text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '\\s*(\\(\\*\\))?$');
}

/** Waits until the wasm has started: clicks before that would be lost. */
export async function hydrated(page: Page) {
  await page.waitForSelector('body[data-hydrated]', { timeout: 30_000 });
}

export async function goto(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
}

/** Signs in through the login form. */
export async function login(page: Page, username: string, password = PASSWORD) {
  await goto(page, '/acceso');
  await page.getByLabel(L('Usuario')).fill(username);
  await page.getByLabel(L('Contraseña')).fill(password);
  await page.getByRole('button', { name: 'Acceder' }).click();
}

/** Signs in as an authorised user and lands on the action selection for `authorisation`. */
export async function loginAsUser(page: Page, username: string, authorisation?: string) {
  await login(page, username);
  if (authorisation) {
    await expect(page).toHaveURL(/\/autorizaciones/);
    await page.getByRole('button', { name: authorisation }).click();
  }
  await expect(page).toHaveURL(/\/casia$/);
  await expect(page.getByRole('heading', { name: 'Selección de la acción a realizar' })).toBeVisible();
}
