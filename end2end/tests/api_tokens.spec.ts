import { APIRequestContext, expect, Locator, Page, test } from '@playwright/test';
import { createToken, unique } from './api';
import { goto, hydrated, loginAsUser, signIn } from './helpers';

// `Tokens de acceso` (/cuenta/tokens): the integration API's tokens of the authorisation.
// Tokens are created by the operator (`casia create-token`, which prints the token once);
// the page lists them, never shows the token itself, and revokes them at once.

const LABORAL = '0654321';

function month(): { from: string; to: string } {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Madrid' }).format(new Date());
  return { from: `${today.slice(0, 8)}01`, to: today };
}

/** The API's answer to a search with this token. */
async function search(request: APIRequestContext, token: string) {
  const { from, to } = month();
  return request.get(`/api/v1/cases?state=todos&from=${from}&to=${to}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
}

async function expectUnauthenticated(request: APIRequestContext, token: string) {
  const r = await search(request, token);
  expect(r.status()).toBe(401);
  expect(r.headers()['content-type']).toBe('application/problem+json');
  expect((await r.json()).type).toBe('urn:casia:problem:unauthenticated');
}

function row(page: Page, name: string): Locator {
  return page.getByTestId('token-row').filter({ has: page.getByTestId('token-name').getByText(name, { exact: true }) });
}

/** From the header's link, as a user gets there. */
async function openTokens(page: Page) {
  await page.getByTestId('tokens-link').click();
  await expect(page).toHaveURL(/\/cuenta\/tokens$/);
  await expect(page.getByRole('heading', { name: 'Tokens de acceso' })).toBeVisible();
  await hydrated(page);
}

test('a token the operator created works, is listed without its secret, and revoking it stops it at once', async ({ page, request }) => {
  const name = unique('Programa de nóminas');
  const token = createToken({
    username: 'autorizado2',
    authorisation: LABORAL,
    name,
    scopes: 'cases:read,notices:read',
    expiresDays: 30,
  });
  // It works against the API, with its scopes only.
  expect((await search(request, token)).status()).toBe(200);
  const notices = await request.get('/api/v1/notices', { headers: { Authorization: `Bearer ${token}` } });
  expect(notices.status()).toBe(200);
  const write = await request.post('/api/v1/uploads?name=a.pdf', {
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/octet-stream' },
    data: Buffer.from('%PDF-1.4\n%%EOF\n'),
  });
  expect(write.status()).toBe(403);
  expect((await write.json()).type).toBe('urn:casia:problem:insufficient-scope');

  await loginAsUser(page, 'autorizado2');
  await openTokens(page);
  const mine = row(page, name);
  await expect(mine).toHaveCount(1);
  await expect(mine).toContainText('autorizado2');
  await expect(mine).toContainText('cases:read, notices:read');
  await expect(mine.getByTestId('token-status')).toHaveText('Activo');
  // Expires in 30 days: a date is shown, not "—"; it has been used (by the calls above).
  const cells = mine.locator('td');
  await expect(cells.nth(4)).not.toHaveText('—');
  await expect(cells.nth(5)).not.toHaveText('Nunca');
  // The token itself is never on the page (only the CLI printed it), nor after a reload.
  expect(await page.content()).not.toContain(token);
  await page.reload();
  await hydrated(page);
  await expect(row(page, name)).toHaveCount(1);
  expect(await page.content()).not.toContain(token);

  await row(page, name).getByTestId('token-revoke').click();
  await expect(row(page, name).getByTestId('token-status')).toHaveText('Revocado');
  await expect(row(page, name).getByTestId('token-revoke')).toHaveCount(0);
  await expectUnauthenticated(request, token);
  await page.reload();
  await hydrated(page);
  await expect(row(page, name).getByTestId('token-status')).toHaveText('Revocado');
});

test("the main user sees and revokes a member's token; the member does not see the main user's", async ({ browser, request }) => {
  const memberName = unique('Programa de autorizado1');
  const mainName = unique('Programa de autorizado2');
  const memberToken = createToken({ username: 'autorizado1', authorisation: LABORAL, name: memberName, scopes: 'cases:read' });
  const mainToken = createToken({ username: 'autorizado2', authorisation: LABORAL, name: mainName, scopes: 'cases:read' });
  // Another authorisation's token of the member: not on 0654321's list.
  const elsewhereName = unique('Programa de 0123456');
  createToken({ username: 'autorizado1', authorisation: '0123456', name: elsewhereName, scopes: 'cases:read' });

  const member = await (await browser.newContext()).newPage();
  await loginAsUser(member, 'autorizado1', LABORAL);
  await openTokens(member);
  await expect(row(member, memberName)).toHaveCount(1);
  await expect(row(member, memberName).getByTestId('token-status')).toHaveText('Activo');
  await expect(row(member, mainName)).toHaveCount(0);
  await expect(row(member, elsewhereName)).toHaveCount(0);
  await expect(member.getByText('Como usuario principal')).toHaveCount(0);
  // Every row the member sees is theirs.
  for (const r of await member.getByTestId('token-row').all()) {
    await expect(r).toContainText('autorizado1');
  }

  const main = await (await browser.newContext()).newPage();
  await loginAsUser(main, 'autorizado2');
  await openTokens(main);
  await expect(main.getByText('Como usuario principal, ve y puede revocar los tokens de todos los usuarios de la autorización.')).toBeVisible();
  await expect(row(main, mainName)).toHaveCount(1);
  await expect(row(main, memberName)).toHaveCount(1);
  await expect(row(main, memberName)).toContainText('autorizado1');
  await expect(row(main, elsewhereName)).toHaveCount(0);

  expect((await search(request, memberToken)).status()).toBe(200);
  await row(main, memberName).getByTestId('token-revoke').click();
  await expect(row(main, memberName).getByTestId('token-status')).toHaveText('Revocado');
  await expectUnauthenticated(request, memberToken);
  // Only that one: the main user's own token still works.
  expect((await search(request, mainToken)).status()).toBe(200);
  await expect(row(main, mainName).getByTestId('token-status')).toHaveText('Activo');

  // The member sees it revoked.
  await member.reload();
  await hydrated(member);
  await expect(row(member, memberName).getByTestId('token-status')).toHaveText('Revocado');
  await expect(row(member, memberName).getByTestId('token-revoke')).toHaveCount(0);
  await member.context().close();
  await main.context().close();
});

test('a processor cannot open Tokens de acceso, and without a session it asks to sign in', async ({ page, browser }) => {
  await signIn(page, 'tramitador1');
  await expect(page).toHaveURL(/\/tramitacion/);
  await expect(page.getByTestId('tokens-link')).toHaveCount(0);
  const response = await page.goto('/cuenta/tokens');
  expect(response?.status()).toBe(403);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Acceso no permitido' })).toBeVisible();
  await expect(page.getByTestId('token-row')).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Tokens de acceso' })).toHaveCount(0);

  const anonymous = await (await browser.newContext()).newPage();
  await goto(anonymous, '/cuenta/tokens');
  await expect(anonymous).toHaveURL(/\/acceso\?next=\/cuenta\/tokens/);
  await anonymous.context().close();
});
