import { expect, Page, test } from '@playwright/test';
import { act, asProcessor, goto, hydrated, L, login, loginAsUser, openCase } from './helpers';
import { pdf } from './files';

const openConsulta = (page: Page, title: string) => openCase(page, 'Consulta', title);

test('processor takes a case and asks for information; the user answers; the case is resolved and rated', async ({ page, browser }) => {
  await loginAsUser(page, 'autorizado2');
  const number = await openConsulta(page, 'Duda sobre bonificación por contratación indefinida');

  const proc = await asProcessor(browser);
  await proc.getByRole('link', { name: 'Sin asignar' }).click();
  await proc.getByTestId('queue').getByRole('link', { name: number }).click();
  await hydrated(proc);
  await expect(proc.getByTestId('processor-number')).toHaveText(number);
  await act(proc, 'Asignarme el caso');
  await expect(proc.getByTestId('processor-substate')).toHaveText('Asignado');
  await act(proc, 'Solicitar información', 'Indique el código de cuenta de cotización afectado.');
  await expect(proc.getByTestId('processor-substate')).toHaveText('Solicitada Información');

  // The user sees the request and adds a document.
  await goto(page, `/casia/casos/${number}`);
  await expect(page.getByTestId('attention')).toContainText('Indique el código de cuenta de cotización afectado.');
  await page.getByRole('link', { name: 'Modificar Información' }).click();
  await hydrated(page);
  await page.getByLabel(L('Información adicional')).fill('CCC 28/1234567/89');
  await page.getByRole('button', { name: 'Añadir documento' }).click();
  const row = page.getByTestId('document-row').first();
  await row.getByLabel(L('Tipo')).selectOption({ label: 'Otros' });
  await row.getByLabel(L('Documento')).setInputFiles(pdf('ccc'));
  await expect(row.getByTestId('upload-done')).toBeVisible();
  await page.getByRole('button', { name: 'Enviar' }).click();
  await expect(page.getByTestId('modify-done')).toContainText('Asignado');

  // Back with the processor: the case returned to Asignado; resolve it.
  await proc.reload();
  await hydrated(proc);
  await expect(proc.getByTestId('processor-substate')).toHaveText('Asignado');
  await expect(proc.getByTestId('documents')).toContainText('ccc.pdf');
  await act(proc, 'Resolver', 'Le corresponde la bonificación desde el alta del trabajador.');
  await expect(proc.getByTestId('processor-substate')).toHaveText('Resuelto');

  await goto(page, `/casia/casos/${number}`);
  await expect(page.getByTestId('detail-state')).toHaveText('Cerrado');
  await expect(page.getByTestId('resolution')).toContainText('Le corresponde la bonificación');
  await page.getByRole('link', { name: 'Valoración' }).click();
  await hydrated(page);
  await page.getByLabel('5', { exact: true }).check();
  await page.getByRole('button', { name: 'Enviar valoración' }).click();
  await expect(page.getByTestId('rating-done')).toBeVisible();
  await proc.close();
});

test('cancellation requests on assigned cases: one approved, one rejected with reasons', async ({ page, browser }) => {
  await loginAsUser(page, 'autorizado2');
  const approve = await openConsulta(page, 'Caso a anular con aprobación');
  const reject = await openConsulta(page, 'Caso a anular con rechazo');
  const proc = await asProcessor(browser, 'tramitador2');
  for (const n of [approve, reject]) {
    await goto(proc, `/tramitacion/casos/${n}`);
    await act(proc, 'Asignarme el caso');
  }
  for (const n of [approve, reject]) {
    await goto(page, `/casia/casos/${n}/anular`);
    await expect(page.getByText('un tramitador aprobará o rechazará')).toBeVisible();
    await page.getByRole('button', { name: 'Confirmar la solicitud de anulación' }).click();
    await expect(page.getByTestId('cancel-outcome')).toContainText('se ha registrado');
    // The case says a decision is pending, and no second request is offered.
    await goto(page, `/casia/casos/${n}`);
    await expect(page.getByTestId('cancellation-pending')).toContainText('pendiente de decisión');
    await expect(page.getByRole('link', { name: 'Solicitar Anulación' })).toHaveCount(0);
  }
  await goto(proc, '/tramitacion?bandeja=anulaciones');
  await expect(proc.getByTestId('queue').getByRole('link', { name: approve })).toBeVisible();
  await expect(proc.getByTestId('queue').getByRole('link', { name: reject })).toBeVisible();

  await goto(proc, `/tramitacion/casos/${approve}`);
  await act(proc, 'Aprobar anulación', '');
  await expect(proc.getByTestId('processor-substate')).toHaveText('Anulado');

  await goto(proc, `/tramitacion/casos/${reject}`);
  await proc.getByTestId('actions').getByRole('button', { name: 'Rechazar anulación', exact: true }).click();
  await proc.getByTestId('confirm-action').click();
  await expect(proc.locator('[data-field="text"]')).toContainText('obligatorio');
  await proc.getByTestId('action-form').getByRole('textbox').fill('El trámite ya está en curso en la Dirección Provincial.');
  await proc.getByTestId('confirm-action').click();
  await expect(proc.getByTestId('processor-substate')).toHaveText('Asignado');

  await goto(page, `/casia/casos/${approve}`);
  await expect(page.getByTestId('detail-substate')).toHaveText('Anulado');
  await goto(page, `/casia/casos/${reject}`);
  await expect(page.getByTestId('detail-substate')).toHaveText('Asignado');
  await expect(page.getByText('El trámite ya está en curso en la Dirección Provincial.').first()).toBeVisible();
  await proc.close();
});

test('two processors on one case: the second is told the case changed', async ({ page, browser }) => {
  await loginAsUser(page, 'autorizado2');
  const number = await openConsulta(page, 'Caso disputado');
  const a = await asProcessor(browser, 'tramitador1');
  const b = await asProcessor(browser, 'supervisor1');
  await goto(a, `/tramitacion/casos/${number}`);
  await goto(b, `/tramitacion/casos/${number}`);
  await act(a, 'Asignarme el caso');
  await b.getByTestId('actions').getByRole('button', { name: 'Asignarme el caso', exact: true }).click();
  // The stale page is refreshed with the message: the case as it is now, no stale buttons.
  await expect(b.getByTestId('action-error')).toContainText('El caso ha cambiado');
  await expect(b.getByTestId('assigned-to')).toHaveText('Pedro Martín Ruiz');
  await expect(b.getByTestId('processor-substate')).toHaveText('Asignado');
  await expect(b.getByTestId('action-error')).toContainText('ahora se muestra como está');
  await a.close();
  await b.close();
});

test('the supervisor dashboard shows open cases by substate; processors cannot see it', async ({ browser }) => {
  const sup = await asProcessor(browser, 'supervisor1');
  await sup.getByRole('link', { name: 'Panel de supervisión' }).first().click();
  await expect(sup.getByRole('heading', { name: 'Panel de supervisión' })).toBeVisible();
  await expect(sup.getByTestId('chart-substates').locator('svg')).toBeVisible();
  await expect(sup.getByTestId('chart-substates')).toContainText('Presentado');
  const proc = await asProcessor(browser, 'tramitador1');
  const response = await proc.goto('/tramitacion/panel');
  expect(response?.status()).toBe(403);
  await sup.close();
  await proc.close();
});

test('the administrator adds a subject that users can then choose', async ({ page, browser }) => {
  const admin = await browser.newPage();
  await login(admin, 'admin');
  await expect(admin).toHaveURL(/\/administracion/);
  await hydrated(admin);
  const name = `Materia de prueba ${Date.now()}`;
  await admin.getByRole('button', { name: 'Añadir materia' }).first().click();
  await admin.getByLabel('Nombre (español)').first().fill(name);
  await admin.getByLabel('Nombre (inglés)').first().fill('Test subject');
  await admin.getByRole('button', { name: 'Añadir', exact: true }).first().click();
  await expect(admin.getByTestId('taxonomy-tree')).toContainText(name);
  await admin.close();

  await loginAsUser(page, 'autorizado2');
  await goto(page, '/casia/nuevo');
  await page.getByLabel(L('Tipo de Caso')).selectOption({ label: 'Consulta' });
  await expect(page.getByLabel(L('Materia')).locator('option', { hasText: name })).toHaveCount(1);
});

test('the administrator creates an authorisation, deactivates it and activates it again', async ({ page }) => {
  await login(page, 'admin');
  await expect(page).toHaveURL(/\/administracion/);
  await goto(page, '/administracion?seccion=autorizaciones');
  const number = String(Date.now()).slice(-7);
  await page.getByLabel(L('Nº Autorización')).fill(number);
  await page.getByLabel(L('Razón Social')).fill(`Asesoría de Prueba ${number}, S.L.`);
  await page.getByLabel(L('NIF')).fill('B87654321');
  await page.getByRole('button', { name: 'Crear autorización' }).click();
  const card = page.getByTestId('authorisation').filter({ hasText: number });
  await expect(card.getByTestId('authorisation-active')).toHaveText('Sí');
  await card.getByRole('button', { name: 'Desactivar' }).click();
  await expect(card.getByTestId('authorisation-active')).toHaveText('No');
  await card.getByRole('button', { name: 'Activar' }).click();
  await expect(card.getByTestId('authorisation-active')).toHaveText('Sí');
});
