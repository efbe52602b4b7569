// A payroll program's whole journey through /api/v1, written against the client generated from
// the live OpenAPI document: `generated/schema.d.ts` is made by openapi-typescript at test time
// (tests/api_client.spec.ts), and `tsc -p api-client/tsconfig.json` type-checks this file
// against it before it runs. A path, parameter, body field or answer field that the document
// does not describe (or describes otherwise) fails that check.

import { createHash } from 'node:crypto';
import { expect } from '@playwright/test';
import createClient from 'openapi-fetch';
import type { components, paths } from './generated/schema';

type Schemas = components['schemas'];
type Case = Schemas['Case'];
type Problem = Schemas['Problem'];
/** Opción 2's filters, as the document names them. */
type CaseQuery = NonNullable<paths['/api/v1/cases']['get']['parameters']['query']>;

export type ApiClient = ReturnType<typeof createClient<paths>>;

export function apiClient(baseUrl: string, token?: string): ApiClient {
  return createClient<paths>({
    baseUrl,
    headers: token === undefined ? {} : { Authorization: `Bearer ${token}` },
  });
}

export interface JourneyInput {
  baseUrl: string;
  /** autorizado2 acting for 0654321, with cases:read and cases:write. */
  token: string;
  /** autorizado1 acting for 0123456 (another authorisation). */
  otherToken: string;
  /** A real PDF file. */
  pdf: (title: string) => { name: string; buffer: Buffer };
  /** Unique per run: Idempotency-Keys and titles. */
  runId: string;
}

/** The calendar month of today in Spain, as the search compares days. */
function thisMonth(): { from: string; to: string } {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Madrid' }).format(new Date());
  const [y, m] = today.split('-').map(Number);
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const mm = String(m).padStart(2, '0');
  return { from: `${y}-${mm}-01`, to: `${y}-${mm}-${String(last).padStart(2, '0')}` };
}

/** A problem+json answer: the media type, the status in the body, a stable type and a title. */
function expectProblem(response: Response, error: Problem | undefined, status: number, type: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(error).toBeDefined();
  expect(error!.status).toBe(status);
  expect(error!.type).toBe(`urn:casia:problem:${type}`);
  expect(error!.title.length).toBeGreaterThan(0);
}

async function upload(api: ApiClient, file: { name: string; buffer: Buffer }): Promise<Schemas['Upload']> {
  const { data, response } = await api.POST('/api/v1/uploads', {
    params: { query: { name: file.name } },
    headers: { 'Content-Type': 'application/octet-stream' },
    // The document describes the body as the file's bytes (`format: binary`), which
    // openapi-typescript types as a string; the bytes are sent as they are.
    body: file.buffer as unknown as string,
    bodySerializer: (bytes) => bytes as unknown as Buffer,
  });
  expect(response.status).toBe(201);
  expect(data!.file_name).toBe(file.name);
  expect(data!.size).toBe(file.buffer.length);
  expect(data!.media_type).toBe('application/pdf');
  expect(data!.id.length).toBeGreaterThan(0);
  return data!;
}

/** Every case of a search, following `next_cursor`, and the total it reported. */
async function search(api: ApiClient, state: string): Promise<{ numbers: string[]; total: number }> {
  const { from, to } = thisMonth();
  const numbers: string[] = [];
  let cursor: string | undefined;
  let total = -1;
  for (let page = 0; page < 100; page++) {
    const { data, response } = await api.GET('/api/v1/cases', {
      params: { query: { state, from, to, cursor, limit: 50 } satisfies CaseQuery },
    });
    expect(response.status).toBe(200);
    total = data!.total;
    numbers.push(...data!.items.map((c) => c.number));
    cursor = data!.next_cursor ?? undefined;
    if (!cursor) break;
  }
  expect(numbers.length).toBe(total);
  return { numbers, total };
}

export async function journey(input: JourneyInput): Promise<void> {
  const api = apiClient(input.baseUrl, input.token);

  // 1. The classification tree: a Trámite (it gets receipts), down to its first leaf.
  const tree = await api.GET('/api/v1/taxonomy');
  expect(tree.response.status).toBe(200);
  const tramite = tree.data!.find((t) => t.case_type === 'tramite');
  expect(tramite, 'the taxonomy has the Trámite type').toBeDefined();
  expect(tramite!.name).toBe('Trámite');
  const category = tramite!.subjects[0].children[0];
  expect(category, 'the first Materia of Trámite has a Categoría').toBeDefined();
  const sub = category.children[0];
  const node = sub ? { subcategory_id: sub.id } : { category_id: category.id };

  // 2. The document types.
  const types = await api.GET('/api/v1/document-types');
  expect(types.response.status).toBe(200);
  expect(types.data!.length).toBeGreaterThan(0);
  const documentType = types.data![0];
  expect(documentType.name.length).toBeGreaterThan(0);

  // 3. A real PDF.
  const contract = await upload(api, input.pdf(`contrato-${input.runId}`));

  // 4. A case with that document; the same Idempotency-Key again answers the same case.
  const title = `Alta fuera de plazo ${input.runId}`;
  const body: Schemas['NewCase'] = {
    ...node,
    affects_current_period: false,
    title,
    description: 'Alta con fecha de efectos anterior, enviada por el programa de nóminas.',
    documents: [{ upload_id: contract.id, document_type_id: documentType.id, title: 'Contrato' }],
  };
  const key = `nomina-${input.runId}`;
  const opened = await api.POST('/api/v1/cases', { params: { header: { 'Idempotency-Key': key } }, body });
  expect(opened.response.status).toBe(201);
  const created: Case = opened.data!;
  expect(created.number).toMatch(/^\d{4}-\d{7}$/);
  expect(opened.response.headers.get('location')).toBe(`/api/v1/cases/${created.number}`);
  expect(created.case_type).toBe('tramite');
  expect(created.state).toBe('abierto');
  expect(created.substate).toBe('presentado');
  expect(created.title).toBe(title);
  expect(created.affects_current_period).toBe(false);
  expect(created.resolution_deadline).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  const again = await api.POST('/api/v1/cases', { params: { header: { 'Idempotency-Key': key } }, body });
  expect(again.response.status).toBe(201);
  expect(again.data!.number).toBe(created.number);
  const number = created.number;

  // 5. Opción 2: open cases of this month, with the total; the case is among them.
  const open = await search(api, 'abierto');
  expect(open.total).toBeGreaterThanOrEqual(1);
  expect(open.numbers).toContain(number);
  // The repeated request opened nothing: the title is there once.
  const titled = await api.GET('/api/v1/cases', { params: { query: { state: 'todos', ...thisMonth() } satisfies CaseQuery } });
  expect(titled.data!.items.filter((c) => c.title === title)).toHaveLength(1);

  // 6. The case and its history.
  const got = await api.GET('/api/v1/cases/{number}', { params: { path: { number } } });
  expect(got.response.status).toBe(200);
  expect(got.data!.number).toBe(number);
  expect(got.data!.title).toBe(title);
  const history = await api.GET('/api/v1/cases/{number}/history', { params: { path: { number } } });
  expect(history.response.status).toBe(200);
  expect(history.data!.number).toBe(number);
  expect(history.data!.entries.map((e) => e.action)).toEqual(['open']);
  expect(history.data!.entries[0].substate).toBe('presentado');

  // 7. Information with another document: allowed while the case is open (Presentado stays
  // Presentado); a Trámite gets a receipt for the document added.
  const payslip = await upload(api, input.pdf(`nomina-${input.runId}`));
  const information = 'Se adjunta la nómina del mes de alta.';
  const added = await api.POST('/api/v1/cases/{number}/information', {
    params: { path: { number }, header: { 'Idempotency-Key': `info-${input.runId}` } },
    body: {
      information,
      documents: [{ upload_id: payslip.id, document_type_id: documentType.id, title: 'Nómina' }],
      version: got.data!.version,
    } satisfies Schemas['Information'],
  });
  expect(added.response.status).toBe(200);
  expect(added.data!.case.number).toBe(number);
  expect(added.data!.case.substate).toBe('presentado');
  expect(added.data!.case.version).toBeGreaterThan(got.data!.version);
  expect(added.data!.receipt?.kind).toBe('complementaria');
  // The version read before that change is refused: the case changed meanwhile.
  const stale = await api.POST('/api/v1/cases/{number}/information', {
    params: { path: { number } },
    body: { information: 'Otra vez', documents: [], version: got.data!.version } satisfies Schemas['Information'],
  });
  expectProblem(stale.response, stale.error, 409, 'conflict');
  const afterInfo = await api.GET('/api/v1/cases/{number}/history', { params: { path: { number } } });
  expect(afterInfo.data!.entries.map((e) => e.action)).toEqual(['open', 'modify_information']);

  // 8. Cancelled: nobody had taken it, so it is cancelled at once.
  const cancelled = await api.POST('/api/v1/cases/{number}/cancellation', {
    params: { path: { number } },
    body: { reason: 'Presentado por error.', version: added.data!.case.version } satisfies Schemas['Cancellation'],
  });
  expect(cancelled.response.status).toBe(200);
  expect(cancelled.data!.state).toBe('cerrado');
  expect(cancelled.data!.substate).toBe('anulado');
  expect(cancelled.data!.closed_at).toBeTruthy();
  expect((await search(api, 'abierto')).numbers).not.toContain(number);
  expect((await search(api, 'cerrado')).numbers).toContain(number);
  // Closed: information is refused by the lifecycle.
  const late = await api.POST('/api/v1/cases/{number}/information', {
    params: { path: { number } },
    body: { information: 'Tarde', documents: [] } satisfies Schemas['Information'],
  });
  expectProblem(late.response, late.error, 409, 'refused');
  expect(late.error!.refusal).toBe('CaseClosed');

  // 9. The receipts (the request's and the added document's) and their PDFs.
  const receipts = await api.GET('/api/v1/cases/{number}/receipts', { params: { path: { number } } });
  expect(receipts.response.status).toBe(200);
  expect(receipts.data!.map((r) => r.kind)).toEqual(['solicitud', 'complementaria']);
  for (const receipt of receipts.data!) {
    expect(receipt.cea.length).toBeGreaterThan(0);
    const pdf = await api.GET('/api/v1/receipts/{id}', {
      params: { path: { id: receipt.id } },
      parseAs: 'arrayBuffer',
    });
    expect(pdf.response.status).toBe(200);
    expect(pdf.response.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(pdf.data as ArrayBuffer);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(receipt.pdf_sha256);
  }

  // Without a token: 401, as problem+json.
  const anonymous = apiClient(input.baseUrl);
  const refused = await anonymous.GET('/api/v1/cases/{number}', { params: { path: { number } } });
  expectProblem(refused.response, refused.error, 401, 'unauthenticated');
  expect(refused.response.headers.get('www-authenticate')).toBe('Bearer realm="casia"');

  // Another authorisation's token works on its own cases, and does not see this one.
  const other = apiClient(input.baseUrl, input.otherToken);
  const own = await other.GET('/api/v1/cases', { params: { query: { state: 'todos', ...thisMonth() } satisfies CaseQuery } });
  expect(own.response.status).toBe(200);
  expect(own.data!.items.map((c) => c.number)).not.toContain(number);
  const hidden = await other.GET('/api/v1/cases/{number}', { params: { path: { number } } });
  expectProblem(hidden.response, hidden.error, 404, 'not-found');
  const hiddenReceipt = await other.GET('/api/v1/receipts/{id}', {
    params: { path: { id: receipts.data![0].id } },
  });
  expectProblem(hiddenReceipt.response, hiddenReceipt.error, 404, 'not-found');
}
