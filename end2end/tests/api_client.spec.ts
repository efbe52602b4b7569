import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect, test } from '@playwright/test';
import { journey } from '../api-client/journey';
import { BINARY, BASE_URL, createToken, serverEnv, unique } from './api';
import { pdf } from './files';

// The integration API (/api/v1) as a payroll program sees it: its OpenAPI 3.1 document is
// valid, and a client generated from that document (openapi-typescript + openapi-fetch) can do
// a whole journey with it, type-checked against the generated types first.

const CLIENT_DIR = path.resolve(__dirname, '..', 'api-client');
const GENERATED = path.join(CLIENT_DIR, 'generated');
const BIN = path.resolve(__dirname, '..', 'node_modules', '.bin');

// Both validators are ES modules only.
const schemaValidator = () => import('@seriousme/openapi-schema-validator');
const openapiParser = () => import('@readme/openapi-parser');

type Doc = Record<string, any>;

async function servedDocument(request: import('@playwright/test').APIRequestContext): Promise<Doc> {
  const r = await request.get('/api/v1/openapi.json');
  expect(r.status()).toBe(200);
  expect(r.headers()['content-type']).toBe('application/json');
  return r.json();
}

/** Errors of the two validators, none when the document is valid. */
async function problemsOf(doc: Doc): Promise<string[]> {
  const { Validator } = await schemaValidator();
  const { validate, compileErrors } = await openapiParser();
  const problems: string[] = [];
  // The official OpenAPI 3.1 JSON schema.
  const v = new Validator();
  const schema = await v.validate(structuredClone(doc));
  if (!schema.valid) problems.push(`schema: ${JSON.stringify(schema.errors)}`);
  else if (v.version !== '3.1') problems.push(`schema: version ${v.version}`);
  // The parser resolves every $ref and checks what the schema cannot (path parameters
  // declared, unique operationIds, arrays with items…).
  const parsed = await validate(structuredClone(doc) as any);
  if (!parsed.valid) problems.push(`parser: ${compileErrors(parsed)}`);
  return problems;
}

test('the OpenAPI document is a valid OpenAPI 3.1 document, the same the operator prints', async ({ request }) => {
  const doc = await servedDocument(request);
  expect(doc.openapi).toMatch(/^3\.1\./);
  expect(await problemsOf(doc)).toEqual([]);
  // Every operation of the README's list is described.
  for (const p of [
    '/api/v1/taxonomy', '/api/v1/document-types', '/api/v1/uploads', '/api/v1/cases',
    '/api/v1/cases/{number}', '/api/v1/cases/{number}/history', '/api/v1/cases/{number}/receipts',
    '/api/v1/cases/{number}/information', '/api/v1/cases/{number}/cancellation',
    '/api/v1/cases/{number}/rating', '/api/v1/receipts/{id}', '/api/v1/notices',
    '/api/v1/notices/{id}/read', '/api/v1/notices/read', '/api/v1/webhooks',
    '/api/v1/webhooks/{id}', '/api/v1/webhooks/{id}/deliveries',
  ]) {
    expect(Object.keys(doc.paths), p).toContain(p);
  }
  // `casia openapi` prints the document the server serves.
  const printed = JSON.parse(execFileSync(BINARY, ['openapi'], { env: serverEnv(), encoding: 'utf8' }));
  expect(printed).toEqual(doc);

  // The validators do reject a broken document: a response without its required
  // description (the 3.1 schema), and a $ref to a schema that does not exist (the parser).
  const noDescription = structuredClone(doc);
  delete noDescription.paths['/api/v1/cases'].get.responses['200'].description;
  expect((await problemsOf(noDescription)).join('\n')).toMatch(/^schema: .*description/);
  const dangling = structuredClone(doc);
  dangling.paths['/api/v1/cases'].get.responses['200'].content['application/json'].schema = {
    $ref: '#/components/schemas/NoSuchSchema',
  };
  expect((await problemsOf(dangling)).join('\n')).toMatch(/parser: .*NoSuchSchema/s);
});

test('a client generated from the document files and follows a case from start to end', async ({ request }) => {
  // Types from the live document, then the journey type-checked against them: a drift
  // between document and client fails here.
  const doc = await servedDocument(request);
  fs.mkdirSync(GENERATED, { recursive: true });
  const json = path.join(GENERATED, `openapi.${process.pid}.json`);
  fs.writeFileSync(json, JSON.stringify(doc, null, 2));
  // A field with a `default` may be left out (the request bodies' fields have one): optional
  // in the types, as the document says. Written aside, then moved: another run's tsc never
  // reads half a file.
  const partial = path.join(GENERATED, `schema.${process.pid}.tmp.ts`);
  const args = [json, '--default-non-nullable', 'false', '--output', partial];
  execFileSync(path.join(BIN, 'openapi-typescript'), args, { encoding: 'utf8', stdio: 'pipe' });
  fs.renameSync(partial, path.join(GENERATED, 'schema.d.ts'));
  fs.renameSync(json, path.join(GENERATED, 'openapi.json'));
  let typeErrors = '';
  try {
    execFileSync(path.join(BIN, 'tsc'), ['--noEmit', '-p', path.join(CLIENT_DIR, 'tsconfig.json')], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (e: any) {
    typeErrors = `${e.stdout ?? ''}${e.stderr ?? ''}` || String(e);
  }
  expect(typeErrors, 'api-client/journey.ts type-checks against the generated client').toBe('');

  const runId = unique('api').replace(' ', '-');
  await journey({
    baseUrl: BASE_URL,
    token: createToken({
      username: 'autorizado2',
      authorisation: '0654321',
      name: `Nóminas ${runId}`,
      scopes: 'cases:read,cases:write',
      expiresDays: 1,
    }),
    otherToken: createToken({
      username: 'autorizado1',
      authorisation: '0123456',
      name: `Otra ${runId}`,
      scopes: 'cases:read',
      expiresDays: 1,
    }),
    pdf,
    runId,
  });
});
