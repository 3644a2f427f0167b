// fabric-contract-api logs every decorator at info level and fabric-shim logs every failed
// transaction at error level, straight to stdout. Tests import this module before anything that
// loads them; set CORE_CHAINCODE_LOGGING_LEVEL (e.g. DEBUG) to see the logs again.
process.env['CORE_CHAINCODE_LOGGING_LEVEL'] ??= 'CRITICAL';
export {};
