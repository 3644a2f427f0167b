/**
 * The provenance family (chaincode contract `provenance`): products, lots and their EPCIS events, inspection,
 * custody, transformation, recall, serialized units and the public consumer verification. Bodies are validated
 * with the chaincode's own input schemas (chaincode/src/domain/provenance.ts), so both sides agree by construction.
 */
import { z } from 'zod';
import {
    ContextInputSchema,
    InspectionInputSchema,
    LotEventInputSchema,
    LotInputSchema,
    LotStatusSchema,
    ProductInputSchema,
    TransformInputSchema,
    UnitsInputSchema,
} from '@upoint/chaincode/dist/domain/provenance';
import { labelsOperation } from '../labels';
import { customOperation, decodeResult, readOperation, writeOperation, type Call, type Operation } from '../operation';
import { chosenFilter, listQuery, MspIdSchema, paging } from '../schemas';

const CONTRACT = 'provenance';
const TAG = 'provenance';

export const ProvIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'expected an id: 1-128 letters, digits, ".", "_", ":" or "-"');
const LotParams = z.strictObject({ id: ProvIdSchema });
const call = (transaction: string, ...args: string[]): Call => ({ contract: CONTRACT, transaction, args });
const lotLocation = (id: string): string => `/v1/lots/${encodeURIComponent(id)}`;

const LotListQuery = listQuery({ owner: MspIdSchema, holder: MspIdSchema, status: LotStatusSchema });
const LIST_BY = { owner: 'OWNER', holder: 'HOLDER', status: 'STATUS' } as const;

export const VerifyQuerySchema = z.strictObject({
    code: z.string().min(1).max(256).meta({ description: 'the secret code printed under the scratch-off label (sent to the chaincode as transient data, never written to the ledger)' }),
    location: z.string().min(1).max(256).meta({ description: 'where the scan happens: a city, a store or a GLN', example: 'Shanghai' }),
});

export const provenanceOperations: readonly Operation[] = [
    writeOperation({
        operationId: 'createProduct',
        path: '/v1/products',
        summary: 'Register a product (caller must hold the MANUFACTURER role)',
        tag: TAG,
        status: 201,
        params: z.strictObject({}),
        body: ProductInputSchema,
        call: ({ body }) => call('CreateProduct', JSON.stringify(body)),
        location: (_r, _tx, { body }) => `/v1/products/${encodeURIComponent(body.id)}`,
    }),
    readOperation({
        operationId: 'getProduct',
        path: '/v1/products/{id}',
        summary: 'One product',
        tag: TAG,
        params: z.strictObject({ id: ProvIdSchema }),
        call: ({ params }) => call('GetProduct', params.id),
    }),
    writeOperation({
        operationId: 'createLot',
        path: '/v1/lots',
        summary: 'Create a lot of a product (caller must hold the MANUFACTURER role)',
        tag: TAG,
        status: 201,
        params: z.strictObject({}),
        body: LotInputSchema,
        call: ({ body }) => call('CreateLot', JSON.stringify(body)),
        location: (_r, _tx, { body }) => lotLocation(body.id),
    }),
    readOperation({
        operationId: 'listLots',
        path: '/v1/lots',
        summary: 'List lots by owner, holder or status, one page at a time',
        tag: TAG,
        params: z.strictObject({}),
        query: LotListQuery,
        call: ({ query }) => {
            const [by, value] = chosenFilter(query, ['owner', 'holder', 'status']);
            return call('ListLots', LIST_BY[by], value, ...paging(query));
        },
    }),
    readOperation({
        operationId: 'getLot',
        path: '/v1/lots/{id}',
        summary: 'One lot',
        tag: TAG,
        params: LotParams,
        call: ({ params }) => call('GetLot', params.id),
    }),
    writeOperation({
        operationId: 'recordLotEvent',
        path: '/v1/lots/{id}/events',
        summary: 'Record an EPCIS object event on the lot (raw materials, process, packaging, fees and taxes, documents…)',
        tag: TAG,
        params: LotParams,
        body: LotEventInputSchema,
        call: ({ params, body: { quantity, ...event } }) => call('RecordEvent', JSON.stringify({ lots: [{ lotId: params.id, quantity }], ...event })),
        location: (_r, _tx, { params }) => `${lotLocation(params.id)}/events`,
    }),
    readOperation({
        operationId: 'getLotTimeline',
        path: '/v1/lots/{id}/events',
        summary: "The lot's timeline: its product, its events oldest first, and its ancestors' lots and events",
        tag: TAG,
        params: LotParams,
        call: ({ params }) => call('Timeline', params.id),
    }),
    writeOperation({
        operationId: 'inspectLot',
        path: '/v1/lots/{id}/inspections',
        summary: 'Record an inspection result with its certificate hash (caller must hold the INSPECTOR role)',
        tag: TAG,
        params: LotParams,
        body: InspectionInputSchema.omit({ lotId: true }),
        call: ({ params, body }) => call('RecordInspection', JSON.stringify({ lotId: params.id, ...body })),
        location: (_r, _tx, { params }) => lotLocation(params.id),
    }),
    writeOperation({
        operationId: 'shipLot',
        path: '/v1/lots/{id}/shipments',
        summary: 'Ship the lot to another member (the caller holds it; it needs a conformant inspection)',
        tag: TAG,
        params: LotParams,
        body: z.strictObject({ receiver: MspIdSchema, context: ContextInputSchema }),
        call: ({ params, body }) => call('Ship', params.id, body.receiver, JSON.stringify(body.context)),
        location: (_r, _tx, { params }) => lotLocation(params.id),
    }),
    writeOperation({
        operationId: 'receiveLot',
        path: '/v1/lots/{id}/receipts',
        summary: 'Receive a lot shipped to the caller',
        tag: TAG,
        params: LotParams,
        body: z.strictObject({ context: ContextInputSchema }),
        call: ({ params, body }) => call('Receive', params.id, JSON.stringify(body.context)),
        location: (_r, _tx, { params }) => lotLocation(params.id),
    }),
    writeOperation({
        operationId: 'transformLots',
        path: '/v1/transformations',
        summary: 'Transform input lots into a new output lot within a declared yield (blending, bottling…)',
        tag: TAG,
        status: 201,
        params: z.strictObject({}),
        body: z.strictObject({ transformation: TransformInputSchema, context: ContextInputSchema }),
        call: ({ body }) => call('Transform', JSON.stringify(body.transformation), JSON.stringify(body.context)),
        location: (_r, _tx, { body }) => lotLocation(body.transformation.output.id),
    }),
    writeOperation({
        operationId: 'recallLot',
        path: '/v1/lots/{id}/recall',
        summary: 'Recall the lot and every lot derived from it (caller must be its manufacturer)',
        tag: TAG,
        params: LotParams,
        body: z.strictObject({ reason: z.string().min(1).max(512) }),
        call: ({ params, body }) => call('Recall', params.id, body.reason),
        location: (_r, _tx, { params }) => lotLocation(params.id),
    }),
    writeOperation({
        operationId: 'commissionUnits',
        path: '/v1/lots/{id}/units',
        summary: 'Commission serialized units of the lot with the SHA-256 of each secret code (the codes are never sent)',
        tag: TAG,
        status: 201,
        params: LotParams,
        body: z.strictObject({ units: UnitsInputSchema }),
        call: ({ params, body }) => call('CommissionUnits', params.id, JSON.stringify(body.units)),
    }),
    // POST /v1/lots/{id}/labels: commission units with gateway-made serials and codes, answer QR labels (../labels.ts)
    labelsOperation(),
    readOperation({
        operationId: 'getUnit',
        path: '/v1/units/{serial}',
        summary: 'One serialized unit and its scans (without its code hash)',
        tag: TAG,
        params: z.strictObject({ serial: ProvIdSchema }),
        call: ({ params }) => call('GetUnit', params.serial),
    }),
    customOperation({
        operationId: 'verifyUnit',
        path: '/v1/verify/{serial}',
        summary:
            'Public, rate limited: verify a unit from its QR code — GENUINE, SUSPECT (with reasons) or UNKNOWN — with its provenance. Each call records a scan.',
        tag: 'verification',
        access: 'public',
        params: z.strictObject({ serial: ProvIdSchema }),
        query: VerifyQuerySchema,
        run: async ({ params, query, principal }, fabric) => {
            // the code travels as transient data: it reaches the chaincode but is not written to the block
            const done = await fabric.submit({
                mspId: principal.mspId,
                contract: CONTRACT,
                transaction: 'Verify',
                args: [params.serial, query.location],
                transient: { code: query.code },
            });
            return { status: 200, body: decodeResult(done.result) };
        },
    }),
];
