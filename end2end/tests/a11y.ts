import AxeBuilder from '@axe-core/playwright';
import { APIRequestContext, Browser, BrowserContext, expect, Page, request } from '@playwright/test';
import { hydrated, PASSWORD } from './helpers';

// Shared by the accessibility specs (a11y*.spec.ts). Each test works with accounts of its
// own, made through the administrators' server functions, so that it can choose their
// language (remembered per account) without disturbing the demo accounts other specs use.

export type Lang = 'es' | 'en';
export const LANGS: Lang[] = ['es', 'en'];
export const DESKTOP = { width: 1366, height: 900 };
export const PHONE = { width: 390, height: 844 };
export const STRONG = 'Girasol-Tranvía-Ópalo-47';

/** WCAG 2.1 A and AA: what the scans fail on. */
export const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export const baseURL = `http://127.0.0.1:${process.env.CASIA_E2E_PORT ?? 3310}`;

/** A label in either language, exactly: `both('Buscar', 'Search')`. */
export function both(es: string, en: string): RegExp {
  const q = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\s*(${q(es)}|${q(en)})\\s*(\\(\\*\\))?\\s*$`);
}

/** An HTTP client (own cookies) that sends the site's origin, signed in as `username`. */
export async function api(username?: string, password = PASSWORD): Promise<APIRequestContext> {
  const ctx = await request.newContext({ baseURL, extraHTTPHeaders: { Origin: baseURL } });
  if (username) {
    const r = await ctx.post('/api/login', { form: { username, password, next: '' }, maxRedirects: 0 });
    expect(r.status(), `login ${username}`).toBeLessThan(400);
  }
  return ctx;
}

/** Calls a server function and returns its JSON answer (or null). */
export async function call(ctx: APIRequestContext, fn: string, body: { form?: Record<string, string>; json?: unknown }) {
  const r = await ctx.post(`/api/${fn}`, { ...(body.form ? { form: body.form } : { data: body.json }), maxRedirects: 0 });
  expect(r.status(), `${fn}: ${await r.text()}`).toBeLessThan(400);
  const text = await r.text();
  return text ? JSON.parse(text) : null;
}

export interface People {
  lang: Lang;
  /** Main user of `authorisation` and member of a second one (so the picker shows). */
  user: string;
  processor: string;
  supervisor: string;
  admin: string;
  authorisation: string;
}

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join('');

/** Fresh accounts of every role, speaking `lang`. */
export async function people(lang: Lang): Promise<People> {
  const admin = await api('admin');
  const tag = `${lang}${unique()}`;
  const names: Record<string, string> = {};
  for (const role of ['autorizado', 'tramitador', 'supervisor', 'administrador']) {
    const username = `a11y-${role.slice(0, 4)}-${tag}`;
    await call(admin, 'admin_create_account', {
      json: { input: { username, full_name: lang === 'en' ? `Test ${role}` : `Prueba ${role}`, email: '', role, password: STRONG } },
    });
    names[role] = username;
  }
  let first = '';
  for (const main of [true, false]) {
    const number = digits(7);
    const id = await call(admin, 'admin_create_authorisation', {
      json: { input: { number, company_name: lang === 'en' ? `Agency ${tag} Ltd` : `Gestoría ${tag}, S.L.`, nif: `B${digits(8)}`, contact_email: '', consent: false } },
    });
    await call(admin, 'admin_add_member', { form: { authorisation_id: String(id), username: names.autorizado, main: String(main) } });
    if (main) first = number;
  }
  for (const username of Object.values(names)) {
    const ctx = await api(username, STRONG);
    await call(ctx, 'set_language', { form: { lang, back: '/' } });
    await ctx.dispose();
  }
  await admin.dispose();
  return {
    lang,
    user: names.autorizado,
    processor: names.tramitador,
    supervisor: names.supervisor,
    admin: names.administrador,
    authorisation: first,
  };
}

/** A browser context signed in as `username` (the picker answered for authorised users). */
export async function signedIn(browser: Browser, username: string, viewport = DESKTOP, authorisation?: string): Promise<BrowserContext> {
  const ctx = await api(username, STRONG);
  if (authorisation) {
    const list = await call(ctx, 'my_authorisations', { form: {} });
    const chosen = list.find((a: { number: string }) => a.number === authorisation);
    await call(ctx, 'choose_authorisation', { form: { authorisation_id: String(chosen.id) } });
  }
  const storageState = await ctx.storageState();
  await ctx.dispose();
  return browser.newContext({ storageState, viewport });
}

/** Opens a case through the server functions (a Trámite carries one document); its number. */
export async function openCase(username: string, authorisation: string, title: string, withDocument = true): Promise<string> {
  const ctx = await api(username, STRONG);
  const list = await call(ctx, 'my_authorisations', { form: {} });
  const chosen = list.find((a: { number: string }) => a.number === authorisation);
  await call(ctx, 'choose_authorisation', { form: { authorisation_id: String(chosen.id) } });
  const options = await call(ctx, 'new_case_options', { form: {} });
  const caseType = withDocument ? 'tramite' : 'consulta';
  const nodes: { id: number; parent_id: number | null; case_type: string; active?: boolean }[] = options.taxonomy.nodes;
  const children = (parent: number | null) => nodes.filter((n) => n.active && n.case_type === caseType && n.parent_id === parent);
  const subject = children(null)[0];
  const category = children(subject.id)[0];
  const subcategory = children(category.id)[0];
  const documents = [];
  if (withDocument) {
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
    const up = await ctx.post('/api/uploads?name=contrato.pdf', { data: pdf, headers: { 'content-type': 'application/pdf' } });
    expect(up.status(), await up.text()).toBe(200);
    const token = (await up.json()).token;
    documents.push({ document_type_id: options.document_types[0].id, title: `${title} (PDF)`, upload_token: token });
  }
  const opened = await call(ctx, 'open_case', {
    json: {
      form: {
        case_type: caseType, subject_id: subject.id, category_id: category.id, subcategory_id: subcategory?.id ?? null,
        affects_current_period: false, title, description: `${title}.`, documents, idempotency_key: unique(),
      },
    },
  });
  await ctx.dispose();
  return opened.number_display;
}

/** Goes to `path` and waits for the page (hydrated, its heading shown). */
export async function visit(page: Page, path: string) {
  await page.goto(path);
  await hydrated(page);
  await expect(page.locator('main h1').first()).toBeVisible();
}

/**
 * Runs axe on the page as it is now and adds what breaks WCAG 2.1 A/AA to `found`
 * (the test fails at the end with the whole list).
 */
export async function scan(page: Page, found: string[], what: string) {
  const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  for (const v of results.violations) {
    const nodes = v.nodes.slice(0, 4).map((n) => `      ${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1, 2).join(' ').trim()}`);
    found.push(`${what} [${page.url().replace(baseURL, '')}]: ${v.id} (${v.impact}) ${v.help}\n${nodes.join('\n')}`);
  }
}

/** No horizontal page scrolling: the page is no wider than the window. */
export async function pageWidth(page: Page): Promise<{ scroll: number; inner: number }> {
  return page.evaluate(() => ({ scroll: document.scrollingElement!.scrollWidth, inner: window.innerWidth }));
}
