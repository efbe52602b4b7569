import { expect, Locator, Page, test } from '@playwright/test';
import { hydrated, L } from './helpers';
import { openCase, people, signedIn, STRONG } from './a11y';

// Keyboard only: every step is reached with Tab and done with Enter, Space, arrows or typing
// (no clicks), and the focused control always shows where the focus is.

/** Presses Tab until `target` has the focus (failing if it never gets it), then checks the
 *  focus can be seen: an outline or a ring. */
async function tabTo(page: Page, target: Locator, max = 80) {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) {
      const visible = await target.evaluate((el) => {
        const s = getComputedStyle(el);
        return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
      });
      expect(visible, `focus visible on ${await target.evaluate((el) => el.outerHTML.slice(0, 80))}`).toBe(true);
      return;
    }
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target}`);
}

/** Chooses `label` in a focused-by-Tab select with the arrow keys. */
async function choose(page: Page, select: Locator, label: string | RegExp) {
  await tabTo(page, select);
  for (let i = 0; i < 40; i++) {
    const text = await select.evaluate((s: HTMLSelectElement) => s.options[s.selectedIndex]?.text ?? '');
    if (typeof label === 'string' ? text === label : label.test(text)) return;
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`no option ${label}`);
}

async function press(page: Page, target: Locator, key = 'Enter') {
  await tabTo(page, target);
  await page.keyboard.press(key);
}

async function type(page: Page, target: Locator, text: string) {
  await tabTo(page, target);
  await page.keyboard.type(text);
}

test('keyboard only: open a Trámite with a document, find it, modify it, cancel it', async ({ browser }) => {
  test.setTimeout(120_000);
  const who = await people('es');
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto('/acceso');
  await hydrated(page);
  await type(page, page.getByLabel(L('Usuario')), who.user);
  await type(page, page.getByLabel(L('Contraseña')), STRONG);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/autorizaciones/);
  await hydrated(page);
  await press(page, page.getByRole('button', { name: new RegExp(who.authorisation) }));
  await expect(page).toHaveURL(/\/casia$/);
  await hydrated(page);

  await press(page, page.getByRole('link', { name: /Nuevo Caso/ }));
  await expect(page.getByRole('heading', { name: 'Nuevo Caso' })).toBeVisible();
  await hydrated(page);
  await expect(page.locator('main fieldset.form-body')).toBeEnabled();

  // Sending the empty form: a summary of the problems, each a link to its field.
  await press(page, page.getByRole('button', { name: 'Finalizar Alta' }));
  const summary = page.getByTestId('error-summary');
  await expect(summary).toBeVisible();
  await expect(summary.getByRole('link', { name: /Título: / })).toBeVisible();
  const title = page.getByLabel(L('Título')).first();
  await expect(title).toHaveAttribute('aria-invalid', 'true');
  const describedBy = (await title.getAttribute('aria-describedby'))!.split(' ');
  await expect(page.locator(`#${describedBy[0]}`)).toHaveText(/obligatorio/);
  await press(page, summary.getByRole('link', { name: /Título: / }));
  await expect(title).toBeFocused();

  await choose(page, page.getByLabel(L('Tipo de Caso')), 'Trámite');
  await choose(page, page.getByLabel(L('Materia')), 'Afiliación, Altas y Bajas');
  await choose(page, page.getByLabel(L('Categoría')), 'Bajas trabajadores cuenta ajena');
  // The first real Subcategoría (not the "Seleccione" placeholder).
  await choose(page, page.getByLabel(L('Subcategoría')), /^(?!Seleccione$)./);
  await tabTo(page, page.getByRole('radio', { name: 'Sí' }));
  await page.keyboard.press('Space');
  await expect(page.getByRole('radio', { name: 'Sí' })).toBeChecked();
  await type(page, title, 'Baja por fin de contrato, solo con teclado');
  await type(page, page.getByLabel(L('Descripción')), 'Enviado sin ratón.');
  await press(page, page.getByRole('button', { name: 'Añadir documento' }));
  const row = page.getByTestId('document-row').first();
  await choose(page, row.getByLabel(L('Tipo')), 'Contrato de trabajo');
  const file = row.getByLabel(L('Documento'));
  await tabTo(page, file);
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.keyboard.press('Space')]);
  await chooser.setFiles({ name: 'contrato.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n') });
  // The upload's progress and its end are in a live region that was there before it began.
  const progress = row.getByTestId('upload-progress');
  await expect(progress).toHaveAttribute('aria-live', 'polite');
  await expect(progress.getByTestId('upload-done')).toBeVisible();
  await expect(file).toHaveAttribute('aria-describedby', new RegExp(`\\b${await progress.getAttribute('id')}\\b`));
  await press(page, page.getByRole('button', { name: 'Finalizar Alta' }));
  await expect(page.getByRole('heading', { name: 'Alta Confirmada' })).toBeVisible();
  const number = (await page.getByTestId('numero-caso').textContent())!.trim();

  // Find it in Gestión de Casos.
  await press(page, page.getByRole('link', { name: 'Gestión de Casos' }).last());
  await expect(page.getByRole('heading', { name: 'Gestión de Casos' })).toBeVisible();
  await hydrated(page);
  await type(page, page.getByLabel(/Número de caso|Nº de caso|Número/).first(), number);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(new RegExp(`/casia/casos/${number}`));
  await expect(page.getByTestId('detail-number')).toHaveText(number);

  // Modify it.
  await press(page, page.getByRole('link', { name: 'Modificar Información' }));
  await expect(page.getByRole('heading', { name: /Modificar Información/ })).toBeVisible();
  await hydrated(page);
  await type(page, page.getByLabel(L('Información adicional')), 'Añado el número de afiliación.');
  await press(page, page.getByRole('button', { name: 'Enviar' }));
  await expect(page.getByTestId('modify-done')).toBeVisible();

  // Cancel it (Presentado: at once).
  await press(page, page.getByRole('link', { name: /Volver al caso/ }));
  await expect(page.getByTestId('detail-number')).toHaveText(number);
  await press(page, page.getByRole('link', { name: 'Solicitar Anulación' }));
  await expect(page.getByRole('heading', { name: /Solicitar Anulación/ })).toBeVisible();
  await hydrated(page);
  await press(page, page.getByRole('button', { name: /Confirmar/ }));
  await expect(page.getByTestId('cancel-outcome')).toBeVisible();
  await ctx.close();
});

test('keyboard only: a processor takes a case and resolves it', async ({ browser }) => {
  const who = await people('es');
  const number = await openCase(who.user, who.authorisation, 'Consulta para resolver con teclado', false);
  const ctx = await signedIn(browser, who.processor);
  const page = await ctx.newPage();
  await page.goto(`/tramitacion`);
  await hydrated(page);
  await press(page, page.getByRole('link', { name: 'Sin asignar' }));
  await press(page, page.getByTestId('queue').getByRole('link', { name: number }));
  await expect(page.getByTestId('processor-number')).toHaveText(number);
  await hydrated(page);
  await press(page, page.getByTestId('actions').getByRole('button', { name: 'Asignarme el caso', exact: true }));
  await expect(page.getByTestId('processor-substate')).toHaveText('Asignado');
  // The banner says what happened, not the button's label again.
  await expect(page.getByTestId('action-done')).toHaveText('El caso se le ha asignado.');
  await press(page, page.getByTestId('actions').getByRole('button', { name: 'Resolver', exact: true }));
  const form = page.getByTestId('action-form');
  await expect(form).toBeVisible();
  // Confirming with no text: the field is marked and named in the summary.
  await press(page, page.getByTestId('confirm-action'));
  await expect(form.getByTestId('error-summary')).toBeVisible();
  await expect(form.getByRole('textbox').first()).toHaveAttribute('aria-invalid', 'true');
  await type(page, form.getByRole('textbox').first(), 'Resuelto: la baja consta con la fecha indicada.');
  await press(page, page.getByTestId('confirm-action'));
  await expect(page.getByTestId('processor-substate')).toHaveText('Resuelto');
  await ctx.close();
});
