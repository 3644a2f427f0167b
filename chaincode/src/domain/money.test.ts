import { AmountSchema, CurrencySchema, QuantitySchema, UnitsSchema, sum } from './money';

describe('money and quantities', () => {
    it('parses decimal integer strings into bigint and refuses everything parseInt would let through', () => {
        expect(AmountSchema.parse('1050')).toBe(1050n);
        expect(UnitsSchema.parse('0')).toBe(0n);
        for (const bad of ['10abc', '1e3', '-5', '01', '1.5', ' 1', '', '0x10', '1'.repeat(31)]) {
            expect(AmountSchema.safeParse(bad).success).toBe(false);
        }
        expect(AmountSchema.safeParse('0').success).toBe(false);
        expect(QuantitySchema.parse('999999999999999999999999999999')).toBe(10n ** 30n - 1n);
    });

    it('accepts only ISO 4217 style codes', () => {
        expect(CurrencySchema.parse('CNY')).toBe('CNY');
        for (const bad of ['cny', 'CN', 'CNYY', 'C1Y']) expect(CurrencySchema.safeParse(bad).success).toBe(false);
    });

    it('sums exactly beyond 2^53', () => {
        expect(sum([2n ** 60n, 1n, 2n ** 60n])).toBe(2n ** 61n + 1n);
    });
});
