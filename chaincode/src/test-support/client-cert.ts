/**
 * A self-signed ECDSA P-256 certificate (generated for these tests with openssl; no key is kept).
 * fabric-shim's ClientIdentity parses the creator's certificate, so the test stub must present a
 * real one; the MSP id travels beside it in the SerializedIdentity, so one certificate serves
 * every test org.
 */
export const TEST_CLIENT_CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIByzCCAXGgAwIBAgIUQwSDnW4n2XjsqU9GGGk/7r5bQbEwCgYIKoZIzj0EAwIw
OjELMAkGA1UEBhMCVVMxFTATBgNVBAoMDFUtUG9pbnQgVGVzdDEUMBIGA1UEAwwL
dGVzdC1jbGllbnQwIBcNMjYxMTI0MDY1MTEyWhgPMjEyNjEwMzEwNjUxMTJaMDox
CzAJBgNVBAYTAlVTMRUwEwYDVQQKDAxVLVBvaW50IFRlc3QxFDASBgNVBAMMC3Rl
c3QtY2xpZW50MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEbyNPBWWtK0c2C4VE
juIUVHH1SS7IsEdwYNTCJkEVrM6zZTx0olEiy04Ghp9d/SSJ3TYnTvASIpxBMvUG
qjXuD6NTMFEwHQYDVR0OBBYEFNAux4OQhF68WgMm9ETUgqVbj7IkMB8GA1UdIwQY
MBaAFNAux4OQhF68WgMm9ETUgqVbj7IkMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZI
zj0EAwIDSAAwRQIhAPmPWEmSoz/vcM96yoVctsxYucAZKecSsSpWUcPa+pRYAiAv
Shroa0dJzrlL1qI+oxbBI4kJiLYQP9qxJx28bUyZmQ==
-----END CERTIFICATE-----
`;
