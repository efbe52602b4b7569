import { expect, Page, test } from '@playwright/test';
import { baseURL, openCase, people, signedIn, visit } from './a11y';

// English complete: the main screens of every role, in English, show no Spanish words
// beyond the guide's proper names (and what people typed, which is English here).

/** Proper names that stay as the guide writes them. */
const PROPER_NAMES = ['Seguridad Social', 'Servicio CASIA', 'CASIA', 'Casia', 'RED', 'CEA', 'TGSS', 'NIF', 'SILTRA', 'Sistema RED', 'Español'];

/** Common Spanish words that are not English words: one of them on an English page is a
 *  label, an error or a date that was not translated. */
const SPANISH = new Set(
  `caso casos del los las para con por una que usuario contraseña buscar estado fecha fechas trámite trámites nuevo nueva
   buzón autorización autorizaciones atrás guardar enviar información documento documentos título descripción anular
   anulación valoración sí abierto abiertos cerrado cerrados presentado asignado resuelto subestado materia categoría
   subcategoría tipo alta altas hora salir cuenta cuentas datos contacto gestión selección acción verificación sesiones
   cambiar nombre razón hay sin asignar mis bandeja bandejas supervisión tramitación tramitador administración
   taxonomía auditoría usuarios desde hasta todos ninguno ninguna campo obligatorio volver modificar solicitar
   solicitada consulta incidencia periodo afecta adjuntar anexar añadir quitar detalle histórico históricos
   enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
   ene feb abr ago dic lunes martes miércoles jueves viernes sábado domingo
   aquí este esta está son más también correo electrónico aviso avisos leído leer marcar ver`.split(/\s+/).filter(Boolean),
);

function spanishWords(text: string): string[] {
  let rest = text;
  for (const name of PROPER_NAMES) rest = rest.split(name).join(' ');
  const words = rest.toLowerCase().match(/[a-záéíóúüñ]+/g) ?? [];
  return [...new Set(words.filter((w) => SPANISH.has(w)))];
}

async function check(page: Page, found: string[], what: string) {
  // What the page shows, and the names and titles a screen reader reads.
  const text = await page.evaluate(() => {
    const attrs = [...document.querySelectorAll('[aria-label],[title],[placeholder]')].map(
      (e) => `${e.getAttribute('aria-label') ?? ''} ${e.getAttribute('title') ?? ''} ${e.getAttribute('placeholder') ?? ''}`,
    );
    return `${document.title}\n${document.body.innerText}\n${attrs.join('\n')}`;
  });
  const words = spanishWords(text);
  if (words.length) found.push(`${what} [${page.url().replace(baseURL, '')}]: ${words.join(', ')}`);
}

// Not yet passing. Its last run (2026-12-02) found Spanish left in English pages: the
// taxonomy's names on the case pages (trámite, altas, cuenta), role and substate codes in the
// accounts list and the audit log (tramitador, asignado, presentado), "del" in the accounts
// list, and the demo data's e-mail address (avisos@…, data the check should skip). Until those
// are translated or skipped it stays fixme; the README's Accessibility section says so.
test.fixme('the main screens of every role are in English, with no Spanish words left', async ({ browser }) => {
  test.setTimeout(120_000);
  const who = await people('en');
  const number = await openCase(who.user, who.authorisation, 'Late registration of an employee');
  const found: string[] = [];

  const anon = await browser.newContext();
  const a = await anon.newPage();
  await a.request.post('/api/set_language', { form: { lang: 'en', back: '/' }, headers: { Origin: baseURL }, maxRedirects: 0 });
  for (const path of ['/acceso', '/verificacion']) {
    await visit(a, path);
    await check(a, found, path);
  }
  await visit(a, '/acceso');
  await a.locator('main').getByRole('button', { name: 'Sign in' }).click();
  await expect(a.locator('main [role="alert"], main .field-error').first()).toBeVisible();
  await check(a, found, 'login errors');
  await anon.close();

  const user = await signedIn(browser, who.user, undefined, who.authorisation);
  const u = await user.newPage();
  for (const path of ['/casia', '/casia/nuevo', `/casia/casos/${number}`, `/casia/casos/${number}/historico`, `/casia/casos/${number}/modificar`,
    `/casia/casos/${number}/anular`, '/casia/buzon', '/casia/contacto', '/cuenta']) {
    await visit(u, path);
    await check(u, found, path);
  }
  await visit(u, '/casia/nuevo');
  await u.getByRole('button', { name: 'Submit case' }).click();
  await expect(u.getByTestId('error-summary')).toBeVisible();
  await check(u, found, 'new case errors');
  await visit(u, '/casia/casos');
  await u.getByTestId('buscar').click();
  await expect(u.getByTestId('results')).toBeVisible();
  await check(u, found, 'search results');
  await user.close();

  for (const [username, paths] of [
    [who.processor, ['/tramitacion', `/tramitacion/casos/${number}`]],
    [who.supervisor, ['/tramitacion/panel']],
    [who.admin, ['/administracion', '/administracion?seccion=documentos', '/administracion?seccion=cuentas', '/administracion?seccion=autorizaciones', '/administracion?seccion=auditoria']],
  ] as const) {
    const ctx = await signedIn(browser, username);
    const p = await ctx.newPage();
    for (const path of paths) {
      await visit(p, path);
      await check(p, found, path);
    }
    await ctx.close();
  }
  expect(found, found.join('\n')).toEqual([]);
});
