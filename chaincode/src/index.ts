/**
 * Entry point for `fabric-chaincode-node server` / `start`: the shim loads `main` from
 * package.json and registers the `contracts` array (the first is the default contract).
 */
import { MembershipContract } from './contracts/membership';

export { MembershipContract };
export const contracts: Array<new () => MembershipContract> = [MembershipContract];
