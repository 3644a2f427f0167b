import Long from 'long';
import { txInstant } from './stub';

const at = (seconds: string, nanos: number): string => txInstant({ getTxTimestamp: () => ({ seconds: Long.fromString(seconds), nanos }) });

describe('txInstant', () => {
    it('renders the transaction timestamp as ISO-8601 UTC with nanoseconds', () => {
        expect(at('1704067200', 0)).toBe('2024-01-01T00:00:00.000000000Z');
        expect(at('1704067201', 123_456_789)).toBe('2024-01-01T00:00:01.123456789Z');
        expect(at('0', 5)).toBe('1970-01-01T00:00:00.000000005Z');
    });

    it('refuses timestamps it cannot render faithfully', () => {
        expect(() => at('-1', 0)).toThrow(RangeError);
        expect(() => at('253402300800', 0)).toThrow(RangeError);
        expect(() => at('0', 1_000_000_000)).toThrow(RangeError);
        expect(() => at('0', 1.5)).toThrow(RangeError);
    });
});
