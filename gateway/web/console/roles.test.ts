import { allowedActions, canWrite, parseMe, receivableActions, type Me, type ReceivableView } from './roles';

const member = (mspId: string): Me => ({ name: mspId, role: 'member', mspId });
const regulator: Me = { name: 'regulator', role: 'regulator', mspId: 'RegulatorMSP' };
const admin: Me = { name: 'admin', role: 'admin', mspId: 'BrandMSP' };
const r = (status: string, extra: Partial<ReceivableView> = {}): ReceivableView => ({ id: 'R', issuer: 'BrandMSP', holder: 'SupplierMSP', status, financing: null, ...extra });

describe('role → allowed actions', () => {
    it('a member may issue and act on receivables; a regulator and an admin may write nothing', () => {
        expect([...allowedActions('member')]).toEqual(['issue', 'accept', 'reject', 'transfer', 'requestFinancing', 'finance', 'declineFinancing', 'settle', 'confirmSettlement']);
        expect(allowedActions('regulator').size).toBe(0);
        expect(allowedActions('admin').size).toBe(0);
        expect([canWrite('member'), canWrite('regulator'), canWrite('admin')]).toEqual([true, false, false]);
    });

    it('the regulator gets no action on any receivable, whatever its state or parties', () => {
        for (const s of ['PENDING', 'ACTIVE', 'UNDER_FINANCING', 'SETTLEMENT_PENDING', 'OVERDUE']) {
            expect(receivableActions(regulator, r(s, { holder: 'RegulatorMSP', issuer: 'RegulatorMSP' }))).toEqual([]);
        }
        expect(receivableActions(admin, r('ACTIVE', { issuer: 'BrandMSP' }))).toEqual([]);
    });
});

describe('receivable → the caller’s actions (the chaincode state machine)', () => {
    it.each([
        ['holder, PENDING', member('SupplierMSP'), r('PENDING'), ['accept', 'reject']],
        ['issuer, PENDING', member('BrandMSP'), r('PENDING'), []],
        ['holder, ACTIVE', member('SupplierMSP'), r('ACTIVE'), ['transfer', 'requestFinancing']],
        ['issuer, ACTIVE', member('BrandMSP'), r('ACTIVE'), ['settle']],
        ['issuer, OVERDUE', member('BrandMSP'), r('OVERDUE'), ['settle']],
        ['stranger, ACTIVE', member('OtherMSP'), r('ACTIVE'), []],
        ['financier, UNDER_FINANCING', member('BankMSP'), r('UNDER_FINANCING', { financing: { financier: 'BankMSP', status: 'REQUESTED' } }), ['finance', 'declineFinancing']],
        ['holder, UNDER_FINANCING', member('SupplierMSP'), r('UNDER_FINANCING', { financing: { financier: 'BankMSP', status: 'REQUESTED' } }), ['declineFinancing']],
        ['other bank, UNDER_FINANCING', member('Bank2MSP'), r('UNDER_FINANCING', { financing: { financier: 'BankMSP', status: 'REQUESTED' } }), []],
        ['holder, SETTLEMENT_PENDING', member('SupplierMSP'), r('SETTLEMENT_PENDING'), ['confirmSettlement']],
        ['holder, SPLIT', member('SupplierMSP'), r('SPLIT'), []],
        ['holder, SETTLED', member('SupplierMSP'), r('SETTLED'), []],
    ])('%s', (_name, me, rec, expected) => {
        expect(receivableActions(me, rec)).toEqual(expected);
    });
});

describe('parseMe', () => {
    it('reads GET /v1/me and refuses an unknown role', () => {
        expect(parseMe({ name: 'regulator', role: 'regulator', mspId: 'RegulatorMSP' })).toEqual(regulator);
        expect(() => parseMe({ name: 'x', role: 'root', mspId: 'X' })).toThrow(/role/);
        expect(() => parseMe({ role: 'member' })).toThrow();
        expect(() => parseMe(null)).toThrow();
    });
});
