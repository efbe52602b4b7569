import { expect, Page } from '@playwright/test';
import { pdf } from './files';

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

/** On Nuevo Caso: a Consulta in the first Materia, Categoría and (if any) Subcategoría. */
export async function chooseConsulta(page: Page) {
  await page.getByLabel(L('Tipo de Caso')).selectOption({ label: 'Consulta' });
  for (const level of ['Materia', 'Categoría', 'Subcategoría']) {
    const select = page.getByLabel(L(level));
    if (await select.isEnabled()) {
      await select.selectOption((await select.locator('option').nth(1).getAttribute('value'))!);
    }
  }
}

/** From a case's detail: Modificar Información with `information` and one document. */
export async function modifyWithDocument(page: Page, information: string, documentType: string, file: string) {
  await page.getByRole('link', { name: 'Modificar Información' }).click();
  await hydrated(page);
  await page.getByLabel(L('Información adicional')).fill(information);
  await page.getByRole('button', { name: 'Añadir documento' }).click();
  const row = page.getByTestId('document-row').first();
  await row.getByLabel(L('Tipo')).selectOption({ label: documentType });
  await row.getByLabel(L('Documento')).setInputFiles(pdf(file));
  await expect(row.getByTestId('upload-done')).toBeVisible();
  await page.getByRole('button', { name: 'Enviar' }).click();
}

/** Opens a Consulta through the form and returns its number. */
export async function openConsulta(page: Page, title: string): Promise<string> {
  await goto(page, '/casia/nuevo');
  await chooseConsulta(page);
  await page.getByText('No', { exact: true }).click();
  await page.getByLabel(L('Título')).first().fill(title);
  await page.getByLabel(L('Descripción')).fill(`Descripción de ${title}`);
  await page.getByRole('button', { name: 'Finalizar Alta' }).click();
  await expect(page.getByRole('heading', { name: 'Alta Confirmada' })).toBeVisible();
  return (await page.getByTestId('numero-caso').textContent())!.trim();
}
