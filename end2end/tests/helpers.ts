import { Browser, expect, Page } from '@playwright/test';

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

/** Signs in and waits until the login page has been left (the session cookie is set), so
 * that the next navigation is signed in. */
export async function signIn(page: Page, username: string) {
  await login(page, username);
  await expect(page).not.toHaveURL(/\/acceso/);
  await hydrated(page);
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

/** Opens a case of `type` through the form with the first classification offered (and "No"
 * to the filing period); returns its number. */
export async function openCase(page: Page, type: string, title: string): Promise<string> {
  await goto(page, '/casia/nuevo');
  await classify(page, type);
  await page.getByLabel(L('Título')).first().fill(title);
  await page.getByLabel(L('Descripción')).fill(`Descripción de ${title}`);
  await page.getByRole('button', { name: 'Finalizar Alta' }).click();
  await expect(page.getByRole('heading', { name: 'Alta Confirmada' })).toBeVisible();
  return (await page.getByTestId('numero-caso').textContent())!.trim();
}

/** On Nuevo Caso: the case type, the first option of each level below it, and "No" (not
 * affecting the current filing period). */
export async function classify(page: Page, type: string) {
  await page.getByLabel(L('Tipo de Caso')).selectOption({ label: type });
  for (const level of ['Materia', 'Categoría', 'Subcategoría']) {
    const select = page.getByLabel(L(level));
    if (await select.isEnabled()) {
      await select.selectOption((await select.locator('option').nth(1).getAttribute('value'))!);
    }
  }
  await page.getByText('No', { exact: true }).click();
}

/** A second page signed in as a processor, on the queues. */
export async function asProcessor(browser: Browser, username = 'tramitador1'): Promise<Page> {
  const page = await browser.newPage();
  await login(page, username);
  await expect(page).toHaveURL(/\/tramitacion/);
  return page;
}

/** Runs a processor action from the case page; `text` fills the form when one opens. */
export async function act(page: Page, action: string, text?: string) {
  await page.getByTestId('actions').getByRole('button', { name: action, exact: true }).click();
  if (text !== undefined) {
    await page.getByTestId('action-form').getByRole('textbox').first().fill(text);
    await page.getByTestId('confirm-action').click();
  }
  await expect(page.getByTestId('action-done')).toBeVisible();
}
