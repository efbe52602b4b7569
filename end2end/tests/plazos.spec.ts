import { Browser, expect, Page, test } from '@playwright/test';
import { goto, hydrated, L, login, loginAsUser } from './helpers';

/** Opens a case of `type` with the first classification offered; returns its number. */
async function openCase(page: Page, type: string, title: string): Promise<string> {
  await goto(page, '/casia/nuevo');
  await page.getByLabel(L('Tipo de Caso')).selectOption({ label: type });
  for (const level of ['Materia', 'Categoría', 'Subcategoría']) {
    const select = page.getByLabel(L(level));
    if (await select.isEnabled()) {
      await select.selectOption((await select.locator('option').nth(1).getAttribute('value'))!);
    }
  }
  await page.getByText('No', { exact: true }).click();
  await page.getByLabel(L('Título')).first().fill(title);
  await page.getByLabel(L('Descripción')).fill(`Descripción de ${title}`);
  await page.getByRole('button', { name: 'Finalizar Alta' }).click();
  await expect(page.getByRole('heading', { name: 'Alta Confirmada' })).toBeVisible();
  return (await page.getByTestId('numero-caso').textContent())!.trim();
}

async function asProcessor(browser: Browser, username: string): Promise<Page> {
  const page = await browser.newPage();
  await login(page, username);
  await expect(page).toHaveURL(/\/tramitacion/);
  return page;
}

async function act(page: Page, action: string, text?: string) {
  await page.getByTestId('actions').getByRole('button', { name: action, exact: true }).click();
  if (text !== undefined) {
    await page.getByTestId('action-form').getByRole('textbox').first().fill(text);
    await page.getByTestId('confirm-action').click();
  }
  await expect(page.getByTestId('action-done')).toContainText(action);
}

/** `DD/MM/YYYY` → a sortable `YYYY-MM-DD`. */
function iso(display: string): string {
  const [d, m, y] = display.trim().split('/');
  return `${y}-${m}-${d}`;
}

test('the processor asks for information: the deadline is suspended and the user sees their own deadline', async ({ page, browser }) => {
  await loginAsUser(page, 'autorizado2');
  const number = await openCase(page, 'Consulta', 'Plazo: consulta sobre reducción de jornada');
  // The user sees the resolution deadline from the start.
  await goto(page, `/casia/casos/${number}`);
  await expect(page.getByTestId('case-deadlines')).toContainText('Fecha límite de resolución');
  await expect(page.getByTestId('resolution-deadline')).toHaveText(/\d\d\/\d\d\/\d{4}/);

  const proc = await asProcessor(browser, 'tramitador2');
  await goto(proc, `/tramitacion/casos/${number}`);
  await expect(proc.getByTestId('case-deadlines').getByTestId('deadline-status')).toHaveText('En plazo');
  await expect(proc.getByTestId('days-left')).toHaveText('5');
  await act(proc, 'Asignarme el caso');
  await act(proc, 'Solicitar información', 'Indique la fecha de efectos de la reducción.');
  await expect(proc.getByTestId('processor-substate')).toHaveText('Solicitada Información');
  await expect(proc.getByTestId('case-deadlines').getByTestId('deadline-status').first()).toHaveText('Plazo suspendido');
  await expect(proc.getByTestId('suspended-days')).toHaveText('0');
  await expect(proc.getByTestId('answer-deadline')).toHaveText(/\d\d\/\d\d\/\d{4}/);
  // The waiting queue shows the case as suspended.
  await goto(proc, '/tramitacion?bandeja=esperando');
  const row = proc.getByTestId('queue').getByRole('row').filter({ hasText: number });
  await expect(row.getByTestId('deadline-status')).toHaveText('Plazo suspendido');

  await goto(page, `/casia/casos/${number}`);
  await expect(page.getByTestId('case-deadlines')).toContainText('Fecha límite para aportar la información');
  await expect(page.getByTestId('answer-deadline')).toHaveText(/\d\d\/\d\d\/\d{4}/);
  await expect(page.getByTestId('case-deadlines')).toContainText('Plazo suspendido');
  // The history records the suspension.
  await goto(page, `/casia/casos/${number}/historico`);
  await expect(page.getByText('Plazo suspendido')).toBeVisible();
  await proc.close();
});

test('the queue sorts by deadline by default, by opening time when asked', async ({ page, browser }) => {
  await loginAsUser(page, 'autorizado2');
  // A Consulta (5 business days) opened before an Error/Incidencia (3 business days).
  const consulta = await openCase(page, 'Consulta', 'Plazo: la consulta abierta antes');
  const incidencia = await openCase(page, 'Error/Incidencia', 'Plazo: la incidencia abierta después');

  const proc = await asProcessor(browser, 'tramitador1');
  await goto(proc, '/tramitacion?bandeja=sin_asignar');
  const numbers = async () => (await proc.getByTestId('queue').locator('tbody tr td:first-child a').allTextContents()).map((s) => s.trim());
  let order = await numbers();
  expect(order.indexOf(incidencia)).toBeGreaterThanOrEqual(0);
  expect(order.indexOf(incidencia)).toBeLessThan(order.indexOf(consulta));
  // Deadlines never go down the page.
  const dates = (await proc.getByTestId('queue').getByTestId('deadline-date').allTextContents()).map(iso);
  expect(dates.length).toBeGreaterThan(1);
  expect(dates).toEqual([...dates].sort());

  await proc.getByLabel('Orden').selectOption({ label: 'Más antiguos primero' });
  await proc.getByRole('button', { name: 'Filtrar' }).click();
  await expect(proc).toHaveURL(/orden=oldest/);
  await hydrated(proc);
  await expect.poll(async () => {
    const o = await numbers();
    return o.indexOf(consulta) < o.indexOf(incidencia);
  }).toBe(true);
  await proc.close();
});

test('administrators see the national holidays and are told what applying to open cases means', async ({ page }) => {
  await login(page, 'admin');
  await goto(page, '/administracion?seccion=plazos');
  await page.getByLabel('Año').fill('2026');
  await page.getByLabel('Año').dispatchEvent('change');
  await expect(page.getByTestId('holidays')).toContainText('Viernes Santo');
  await expect(page.getByTestId('holidays')).toContainText('03/04/2026');
  await expect(page.getByTestId('apply-hint')).toContainText('conservan su fecha límite');
  await expect(page.getByTestId('targets')).toContainText('Consulta');
});
