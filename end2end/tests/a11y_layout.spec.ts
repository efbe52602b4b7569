import { expect, test } from '@playwright/test';
import { openCase, pageWidth, people, signedIn, visit } from './a11y';

// Reflow (WCAG 1.4.10): at 390 px (a phone) and 320 px (1280 px at 400 % zoom; 200 % zoom is
// 640 px) no main screen scrolls sideways; wide tables scroll in their own box.

for (const width of [390, 320]) {
  test(`no horizontal page scrolling at ${width} px`, async ({ browser }) => {
    test.setTimeout(120_000);
    const viewport = { width, height: 844 };
    const who = await people('es');
    const long = 'Solicitud con una palabra muy larga: Contratodetrabajoindefinidoatiempocompletofirmadoporambaspartes';
    const number = await openCase(who.user, who.authorisation, long);
    const wide: string[] = [];
    const check = async (page: import('@playwright/test').Page, path: string) => {
      await visit(page, path);
      const { scroll, inner } = await pageWidth(page);
      if (scroll > inner) wide.push(`${path}: ${scroll} px in ${inner} px`);
    };
    const user = await signedIn(browser, who.user, viewport, who.authorisation);
    const u = await user.newPage();
    for (const path of ['/casia', '/casia/nuevo', '/casia/casos', `/casia/casos/${number}`, `/casia/casos/${number}/historico`,
      `/casia/casos/${number}/modificar`, '/casia/buzon', '/casia/contacto', '/cuenta']) {
      await check(u, path);
    }
    await user.close();
    const proc = await signedIn(browser, who.processor, viewport);
    const p = await proc.newPage();
    for (const path of ['/tramitacion', `/tramitacion/casos/${number}`]) await check(p, path);
    await proc.close();
    const sup = await signedIn(browser, who.supervisor, viewport);
    await check(await sup.newPage(), '/tramitacion/panel');
    await sup.close();
    const adm = await signedIn(browser, who.admin, viewport);
    const a = await adm.newPage();
    for (const s of ['taxonomia', 'documentos', 'cuentas', 'autorizaciones', 'auditoria']) await check(a, `/administracion?seccion=${s}`);
    await adm.close();
    const anon = await browser.newContext({ viewport });
    const n = await anon.newPage();
    for (const path of ['/acceso', '/verificacion']) await check(n, path);
    await anon.close();
    expect(wide, wide.join('\n')).toEqual([]);
  });
}
