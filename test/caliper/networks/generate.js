#!/usr/bin/env node
// Writes a Caliper (v0.6, fabric connector, network config v2.0.0) network configuration for a running U-Point network
// from the project's network file and the network's crypto directory (cryptogen layout), one connection profile per
// member org. Works for devnet (.devnet) and native (.native): both use the same layout and the same network file.
//
//   node test/caliper/networks/generate.js [--network network/upoint.network.yaml] [--dir .devnet] [--out test/caliper/networks/generated]
//
// Needs `make build` (it reuses devnet's compiled network-file loader and crypto-path helpers).
'use strict';
const { mkdirSync, readdirSync, writeFileSync, existsSync } = require('node:fs');
const { join, resolve } = require('node:path');
const yaml = require('js-yaml');

const REPO = resolve(__dirname, '../../..');
const { loadNetworkConfig, peerHost } = require(join(REPO, 'network/devnet/dist/config/network'));
const { tlsCaCertPath, userMspDir } = require(join(REPO, 'network/devnet/dist/msp/cryptogen'));

function flag(name, fallback) {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const networkFile = resolve(flag('network', join(REPO, 'network/upoint.network.yaml')));
const dir = resolve(flag('dir', join(REPO, '.devnet')));
const out = resolve(flag('out', join(__dirname, 'generated')));
// The native network records the effective file (e.g. with 3 orderers) in its directory.
const recorded = join(dir, 'network.json');
const cfg = existsSync(recorded) ? loadNetworkConfig(recorded) : loadNetworkConfig(networkFile);
const cryptoDir = join(dir, 'crypto');
if (!existsSync(cryptoDir)) throw new Error(`no crypto material in ${cryptoDir}: start the network first (make network-up)`);

const only = (d) => {
    const files = readdirSync(d);
    if (files.length !== 1) throw new Error(`expected one file in ${d}, found ${files.length}`);
    return join(d, files[0]);
};

mkdirSync(out, { recursive: true });
const organizations = [];
for (const org of cfg.orgs) {
    const msp = userMspDir(cryptoDir, org, 'User1');
    const peers = {};
    for (const p of org.peers) {
        peers[peerHost(org, p)] = {
            url: `grpcs://localhost:${p.port}`,
            tlsCACerts: { path: tlsCaCertPath(cryptoDir, org) },
            grpcOptions: { 'ssl-target-name-override': 'localhost' },
        };
    }
    const profile = {
        name: `upoint-${org.name.toLowerCase()}`,
        version: '1.0.0',
        client: { organization: org.name },
        organizations: { [org.name]: { mspid: org.mspId, peers: Object.keys(peers) } },
        peers,
    };
    const profileFile = join(out, `connection-${org.name.toLowerCase()}.yaml`);
    writeFileSync(profileFile, yaml.dump(profile));
    organizations.push({
        mspid: org.mspId,
        identities: {
            certificates: [{ name: 'User1', clientPrivateKey: { path: only(join(msp, 'keystore')) }, clientSignedCert: { path: only(join(msp, 'signcerts')) } }],
        },
        // The peer Gateway endorses and orders for us: no discovery needed.
        connectionProfile: { path: profileFile, discover: false },
    });
}
const network = {
    name: `upoint-${cfg.name}`,
    version: '2.0.0',
    caliper: { blockchain: 'fabric' },
    channels: [{ channelName: cfg.channel, contracts: [{ id: cfg.chaincode.name }, { id: 'kvcc' }] }],
    organizations,
};
const file = join(out, 'network.yaml');
writeFileSync(file, yaml.dump(network));
process.stdout.write(`${file}\n`);
