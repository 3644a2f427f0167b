// Tests for policies/policydsl.ts (mirrors common/policydsl/policyparser.go).
import { common, msp } from '@hyperledger/fabric-protos';
import { PolicyError } from './errors';
import { policyFromString } from './policydsl';

function principals(env: common.SignaturePolicyEnvelope): string[] {
    const names = ['member', 'admin', 'client', 'peer', 'orderer'];
    return env.getIdentitiesList().map((p) => {
        expect(p.getPrincipalClassification()).toBe(msp.MSPPrincipal.Classification.ROLE);
        const r = msp.MSPRole.deserializeBinary(p.getPrincipal_asU8());
        return `${r.getMspIdentifier()}.${names[r.getRole()] ?? '?'}`;
    });
}

type Shape = number | { n: number; rules: Shape[] };
function shape(rule: common.SignaturePolicy | undefined): Shape {
    if (rule === undefined) throw new Error('no rule');
    if (rule.hasSignedBy()) return rule.getSignedBy();
    const g = rule.getNOutOf();
    if (g === undefined) throw new Error('empty rule');
    return { n: g.getN(), rules: g.getRulesList().map(shape) };
}

describe('policyFromString', () => {
    it('parses the chaincode endorsement policy', () => {
        const env = policyFromString("OutOf(2,'BrandMSP.peer','SupplierMSP.peer','BankMSP.peer')");
        expect(env.getVersion()).toBe(0);
        expect(principals(env)).toEqual(['BrandMSP.peer', 'SupplierMSP.peer', 'BankMSP.peer']);
        expect(shape(env.getRule())).toEqual({ n: 2, rules: [0, 1, 2] });
    });

    it('maps AND/OR to n-out-of gates, any case variant, single or double quotes, all roles', () => {
        const env = policyFromString(`and("A.member", 'B.admin', Or('C.client', "D.peer", 'E.orderer'))`);
        // nested gates are numbered before the enclosing gate's own principals, as Fabric's evaluator does
        expect(principals(env)).toEqual(['C.client', 'D.peer', 'E.orderer', 'A.member', 'B.admin']);
        expect(shape(env.getRule())).toEqual({ n: 3, rules: [3, 4, { n: 1, rules: [0, 1, 2] }] });
    });

    it('keeps one identity per principal occurrence, like Fabric (no de-duplication)', () => {
        const env = policyFromString("AND('A.member','A.member')");
        expect(principals(env)).toEqual(['A.member', 'A.member']);
        expect(shape(env.getRule())).toEqual({ n: 2, rules: [0, 1] });
    });

    it('produces the bytes Fabric produces for OR(org admin)', () => {
        const env = policyFromString("OR('Org1MSP.admin')");
        // configtxgen/peer CLI encoding of OR('Org1MSP.admin'): rule n_out_of{n:1, rules:[signed_by 0]}
        const expected = new common.SignaturePolicyEnvelope();
        const role = new msp.MSPRole();
        role.setMspIdentifier('Org1MSP');
        role.setRole(msp.MSPRole.MSPRoleType.ADMIN);
        const p = new msp.MSPPrincipal();
        p.setPrincipal(role.serializeBinary());
        const sb = new common.SignaturePolicy();
        sb.setSignedBy(0);
        const g = new common.SignaturePolicy.NOutOf();
        g.setN(1);
        g.setRulesList([sb]);
        const rule = new common.SignaturePolicy();
        rule.setNOutOf(g);
        expected.setRule(rule);
        expected.setIdentitiesList([p]);
        expect(Buffer.from(env.serializeBinary())).toEqual(Buffer.from(expected.serializeBinary()));
    });

    it.each([
        ["OR('A.member'", /expected ',' or '\)'/],
        ["XOR('A.member')", /unrecognized token 'XOR'/],
        ["OR('A.boss')", /error parsing principal A.boss/],
        ["OutOf(4,'A.member','B.member')", /invalid t-out-of-n predicate, t 4, n 2/],
        ["OutOf('A.member','B.member')", /first argument of OutOf must be a number/],
        ['OR()', /expected at least two arguments/],
        ["'A.member'", /expected AND, OR or OutOf/],
        ["OR('A.member') extra", /trailing input/],
        ["OR('A.member)", /unterminated string/],
    ])('rejects %s', (dsl, why) => {
        expect(() => policyFromString(dsl)).toThrow(PolicyError);
        expect(() => policyFromString(dsl)).toThrow(why);
    });
});
