/**
 * A loopback stand-in for Microsoft Entra as the Agents SDK reaches it, so the authenticated Teams
 * door can be tested without login.microsoftonline.com:
 *
 * - inbound: an OpenID configuration and a JWKS (RS256 key made at start) at the paths the SDK
 *   derives from `authorityEndpoint` + `tenantId` ({authority}/{tenant}/discovery/v2.0/keys), and
 *   `sign()` to mint tokens with that key;
 * - outbound: the Microsoft Entra auth sidecar's token endpoint
 *   (GET /AuthorizationHeaderUnauthenticated/{serviceName} → { authorizationHeader }), which the
 *   SDK calls for its connector token when authType=EntraAuthSideCar.
 */
import { createSign, generateKeyPairSync, type KeyObject, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeEntra {
  /** Use as authorityEndpoint and sidecarBaseUrl. */
  url: string;
  tenantId: string;
  /** The token the sidecar hands out for outbound connector calls. */
  outboundToken: string;
  requests: Array<{ path: string; query: Record<string, string[]> }>;
  /** The issuer the SDK expects for this authority and tenant. */
  issuer: string;
  /** A compact RS256 JWT; `key: "other"` signs with a key the JWKS does not publish. */
  sign(claims: Record<string, unknown>, opts?: { key?: "published" | "other"; kid?: string }): string;
  close(): Promise<void>;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

function signJwt(privateKey: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const header = b64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid }));
  const payload = b64url(JSON.stringify(claims));
  const signer = createSign("RSA-SHA256");
  signer.update(`${header}.${payload}`);
  return `${header}.${payload}.${signer.sign(privateKey).toString("base64url")}`;
}

export async function startFakeEntra(tenantId: string): Promise<FakeEntra> {
  const published = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = `test-key-${randomUUID().slice(0, 8)}`;
  const jwk = { ...published.publicKey.export({ format: "jwk" }), kid, use: "sig", alg: "RS256" };
  const outboundToken = `sidecar-token-${randomUUID()}`;
  const requests: FakeEntra["requests"] = [];
  let url = "";

  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://localhost");
    const query: Record<string, string[]> = {};
    for (const [k, v] of u.searchParams) {
      query[k] ??= [];
      query[k].push(v);
    }
    requests.push({ path: u.pathname, query });
    const json = (status: number, body: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    if (u.pathname === `/${tenantId}/v2.0/.well-known/openid-configuration`) {
      return json(200, {
        issuer: `${url}/${tenantId}/v2.0`,
        jwks_uri: `${url}/${tenantId}/discovery/v2.0/keys`,
        token_endpoint: `${url}/${tenantId}/oauth2/v2.0/token`,
        id_token_signing_alg_values_supported: ["RS256"],
      });
    }
    if (u.pathname === `/${tenantId}/discovery/v2.0/keys`) return json(200, { keys: [jwk] });
    if (u.pathname.startsWith("/AuthorizationHeaderUnauthenticated/")) return json(200, { authorizationHeader: `Bearer ${outboundToken}` });
    return json(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    tenantId,
    outboundToken,
    requests,
    issuer: `${url}/${tenantId}/v2.0`,
    sign: (claims, opts = {}) => signJwt((opts.key === "other" ? other : published).privateKey, opts.kid ?? kid, claims),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
