import { formatAmount, minorDigits } from '../shared/format';
import { fieldOfPath, isDate, toMinorUnits, validateFinance, validateFinancingRequest, validateIssue, validateSplit } from './forms';

const HASH = 'a'.repeat(64);

describe('amounts: typed in major units, sent in minor units, shown back exactly', () => {
    it.each([
        ['1250.5', 2, '125050'],
        ['1,250.50', 2, '125050'],
        ['1 000 000', 2, '100000000'],
        ['0.01', 2, '1'],
        ['007', 2, '700'],
        ['12', 0, '12'],
        ['1.234', 3, '1234'],
        ['123456789012345678901234567.89', 2, '12345678901234567890123456789'],
    ])('%s (%i digits) → %s', (input, digits, minor) => {
        expect(toMinorUnits(input, digits)).toBe(minor);
    });

    it.each([['0'], ['0.00'], [''], ['-5'], ['1.234'], ['1e6'], ['abc'], ['1.2.3'], ['9'.repeat(31)]])('refuses %p', (input) => {
        expect(toMinorUnits(input, 2)).toBeNull();
    });

    it('round-trips through the shared formatter without floats', () => {
        const minor = toMinorUnits('98765432109876543.21', minorDigits('CNY'));
        expect(minor).toBe('9876543210987654321');
        expect(formatAmount(minor ?? '', 'CNY', 'en')).toMatch(/98,765,432,109,876,543\.21$/);
        expect(formatAmount(toMinorUnits('1500', minorDigits('JPY')) ?? '', 'JPY', 'en')).toMatch(/1,500$/);
    });
});

describe('issue form', () => {
    const ok = { holder: 'SupplierMSP', amount: '10,000.00', currency: 'cny', maturityDate: '2099-12-31', invoiceHash: HASH.toUpperCase(), contractHash: HASH };
    it('builds the POST /v1/receivables body', () => {
        expect(validateIssue(ok, 'BrandMSP', '2026-01-01', minorDigits)).toEqual({
            ok: true,
            value: { holder: 'SupplierMSP', amount: '1000000', currency: 'CNY', maturityDate: '2099-12-31', invoiceHash: HASH, contractHash: HASH },
        });
    });
    it('names every bad field', () => {
        const v = validateIssue({ holder: 'BrandMSP', amount: '0', currency: 'yuan', maturityDate: '2025-02-30', invoiceHash: 'x', contractHash: '' }, 'BrandMSP', '2026-01-01', minorDigits);
        expect(v.ok).toBe(false);
        if (!v.ok) {
            expect(v.problems).toEqual([
                { field: 'holder', key: 'v.selfHolder' },
                { field: 'currency', key: 'v.currency' },
                { field: 'amount', key: 'v.amount' },
                { field: 'maturityDate', key: 'v.date' },
                { field: 'invoiceHash', key: 'v.sha256' },
                { field: 'contractHash', key: 'v.sha256' },
            ]);
        }
        const past = validateIssue({ ...ok, maturityDate: '2025-12-31' }, 'BrandMSP', '2026-01-01', minorDigits);
        expect(past.ok ? [] : past.problems).toEqual([{ field: 'maturityDate', key: 'v.pastDate' }]);
    });
});

describe('split form', () => {
    it('needs parts that add up exactly to the receivable', () => {
        expect(validateSplit([{ holder: 'SupplierMSP', amount: '3000' }, { holder: 'LogisticsMSP', amount: '7,000.00' }], '1000000', 2)).toEqual({
            ok: true,
            value: { parts: [{ holder: 'SupplierMSP', amount: '300000' }, { holder: 'LogisticsMSP', amount: '700000' }] },
        });
        const short = validateSplit([{ holder: 'A', amount: '1' }], '1000000', 2);
        expect(short.ok ? [] : short.problems).toEqual([{ field: 'parts', key: 'v.partsSum' }]);
        const bad = validateSplit([{ holder: '', amount: 'x' }], '1', 2);
        expect(bad.ok ? [] : bad.problems).toEqual([
            { field: 'parts.0.holder', key: 'v.msp' },
            { field: 'parts.0.amount', key: 'v.amount' },
        ]);
        expect(validateSplit([], '1', 2).ok).toBe(false);
    });
});

describe('financing forms', () => {
    it('checks the financier and the price', () => {
        expect(validateFinancingRequest(' BankMSP ', 'SupplierMSP')).toEqual({ ok: true, value: { financier: 'BankMSP' } });
        expect(validateFinancingRequest('SupplierMSP', 'SupplierMSP').ok).toBe(false);
        expect(validateFinance('9,500', '1000000', 2)).toEqual({ ok: true, value: { discountedAmount: '950000' } });
        const over = validateFinance('10000.01', '1000000', 2);
        expect(over.ok ? [] : over.problems).toEqual([{ field: 'discountedAmount', key: 'v.overFace' }]);
    });
});

describe('helpers', () => {
    it('isDate accepts real calendar dates only; fieldOfPath strips the gateway prefix', () => {
        expect([isDate('2024-02-29'), isDate('2025-02-29'), isDate('2025-13-01'), isDate('25-01-01')]).toEqual([true, false, false, false]);
        expect(fieldOfPath('body.parts.0.amount')).toBe('parts.0.amount');
        expect(fieldOfPath('holder')).toBe('holder');
    });
});
