/**
 * Callers: API keys sent as `Authorization: Bearer <key>`, stored only as SHA-256 hashes, compared in constant
 * time, each mapped to a role and an org. `member` acts for its org, `regulator` reads every org's data and
 * writes nothing, `admin` proposes and approves membership changes for its org.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ApiError } from './errors';

export const ROLES = ['member', 'regulator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** What a route needs: any authenticated caller may read; `write` is for members; `admin` for admins. */
export type Access = 'public' | 'read' | 'write' | 'admin';

/** Who a request acts as: a key's role, or `public` on the public routes (consumer verification). */
export type CallerRole = Role | 'public';

export interface Principal {
    readonly role: CallerRole;
    readonly mspId: string;
    /** A label for logs (never the key or its hash). */
    readonly name: string;
}

const HashSchema = z.string().regex(/^[0-9a-f]{64}$/, 'expected a SHA-256 hash: 64 lower-case hex digits');
export const KeyEntrySchema = z.strictObject({
    name: z.string().regex(/^[A-Za-z0-9:._-]{1,64}$/),
    sha256: HashSchema,
    role: z.enum(ROLES),
    mspId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
});
export type KeyEntry = z.infer<typeof KeyEntrySchema>;
export const KeyFileSchema = z.strictObject({ keys: z.array(KeyEntrySchema) });

export function hashKey(key: string): string {
    return createHash('sha256').update(key, 'utf8').digest('hex');
}

export interface KeyStore {
    /** The caller an Authorization header names; UNAUTHENTICATED when missing, malformed or unknown. */
    authenticate(authorization: string | undefined): Principal;
}

class HashedKeyStore implements KeyStore {
    readonly #entries: ReadonlyArray<{ readonly digest: Buffer; readonly principal: Principal }>;

    constructor(entries: readonly KeyEntry[]) {
        this.#entries = entries.map((e) => ({ digest: Buffer.from(e.sha256, 'hex'), principal: { role: e.role, mspId: e.mspId, name: e.name } }));
    }

    authenticate(authorization: string | undefined): Principal {
        if (authorization === undefined) throw new ApiError({ code: 'UNAUTHENTICATED', detail: 'missing Authorization: Bearer <API key>' });
        const match = /^Bearer ([\x21-\x7E]{1,512})$/.exec(authorization);
        const key = match?.[1];
        if (key === undefined) throw new ApiError({ code: 'UNAUTHENTICATED', detail: 'expected Authorization: Bearer <API key>' });
        const digest = createHash('sha256').update(key, 'utf8').digest();
        let found: Principal | undefined;
        // every entry is compared, so the time taken does not depend on which one matches
        for (const e of this.#entries) if (timingSafeEqual(e.digest, digest) && found === undefined) found = e.principal;
        if (found === undefined) throw new ApiError({ code: 'UNAUTHENTICATED', detail: 'unknown API key' });
        return found;
    }
}

export function newKeyStore(entries: readonly KeyEntry[]): KeyStore {
    return new HashedKeyStore(entries);
}

/** Reads API_KEYS_FILE: `{"keys":[{"name","sha256","role","mspId"}…]}`. */
export function loadKeyStore(file: string): KeyStore {
    const parsed = KeyFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return newKeyStore(parsed.data.keys);
}

/** Refuses (FORBIDDEN) a caller whose role may not use a route of this access kind. */
export function authorize(principal: Principal, access: Access): void {
    if (access === 'public') return;
    if (principal.role === 'public') throw new ApiError({ code: 'UNAUTHENTICATED', detail: 'this route needs an API key' });
    if (access === 'read') return;
    if (access === 'write' && principal.role !== 'member') {
        throw new ApiError({ code: 'FORBIDDEN', detail: `the ${principal.role} role cannot write through this route` });
    }
    if (access === 'admin' && principal.role !== 'admin') {
        throw new ApiError({ code: 'FORBIDDEN', detail: 'this route needs the admin role' });
    }
}
