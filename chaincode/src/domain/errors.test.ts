import { ChaincodeError, ERROR_CODES, fail, parseErrorCode } from './errors';

describe('ChaincodeError', () => {
    it('renders as "<CODE>: <text>" and keeps code, text, name and cause', () => {
        const cause = new Error('disk on fire');
        const err = new ChaincodeError({ code: 'NOT_FOUND', message: 'member X does not exist', cause });
        expect(err.message).toBe('NOT_FOUND: member X does not exist');
        expect(err.code).toBe('NOT_FOUND');
        expect(err.text).toBe('member X does not exist');
        expect(err.name).toBe('ChaincodeError');
        expect(err.cause).toBe(cause);
        expect(err).toBeInstanceOf(Error);
    });

    it('has no cause property when none is given', () => {
        expect('cause' in fail('CONFLICT', 'x')).toBe(false);
    });

    it.each(ERROR_CODES.map((c) => [c]))('parseErrorCode recovers %s from the message', (code) => {
        expect(parseErrorCode(fail(code, 'some text: with colons').message)).toBe(code);
    });

    it('parseErrorCode ignores messages without a catalogue prefix', () => {
        expect(parseErrorCode('Expected 2 parameters, but 1 have been supplied')).toBeUndefined();
        expect(parseErrorCode('NOPE: not a code')).toBeUndefined();
        expect(parseErrorCode('NOT_FOUND:missing space')).toBeUndefined();
    });
});
