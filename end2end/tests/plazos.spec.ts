import { expect, test } from '@playwright/test';
import { act, asProcessor, goto, hydrated, login, loginAsUser, openCase, signIn } from './helpers';

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
  const numbers = async () => (await proc.getByTestId('queue').getByTestId('case-number').allTextContents()).map((s) => s.trim());
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
  await signIn(page, 'admin');
  await goto(page, '/administracion?seccion=plazos');
  await page.getByLabel('Año').fill('2026');
  await page.getByLabel('Año').dispatchEvent('change');
  await expect(page.getByTestId('holidays')).toContainText('Viernes Santo');
  await expect(page.getByTestId('holidays')).toContainText('03/04/2026');
  await expect(page.getByTestId('apply-hint')).toContainText('conservan su fecha límite');
  await expect(page.getByTestId('targets')).toContainText('Consulta');
});
