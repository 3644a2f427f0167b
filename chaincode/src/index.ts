/**
 * Entry point for `fabric-chaincode-node server` / `start`: the shim loads `main` from
 * package.json and registers the `contracts` array (the first is the default contract).
 */
import type { BaseContract } from './contracts/base';
import { MembershipContract } from './contracts/membership';
import { ProvenanceContract } from './contracts/provenance';
import { ReceivablesContract } from './contracts/receivables';
import { TokensContract } from './contracts/tokens';

export { MembershipContract, ProvenanceContract, ReceivablesContract, TokensContract };
export const contracts: Array<new () => BaseContract> = [MembershipContract, ProvenanceContract, TokensContract, ReceivablesContract];
