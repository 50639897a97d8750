/**
 * The fake Azure's TLS certificate: self-signed for localhost and 127.0.0.1 (its own CA, trusted
 * by the client factory for loopback only). Made once and kept in a cache folder, so a demo
 * start, a CLI answer or a test does not load a certificate library and sign a new one each
 * time (the library alone is ~170 modules). A cached pair is used only while it still parses,
 * matches its key, names both loopback hosts and has more than a day left; otherwise a new one
 * is made and the cache rewritten. A cache that cannot be read or written is not an error: the
 * certificate is then made for this process only.
 *
 * @example
 * const { key, cert } = await fakeAzureCertificate();
 * https.createServer({ key, cert }, handler);
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface FakeCertificate {
  /** PEM of the private key. */
  key: string;
  /** PEM of the certificate (self-signed, so it is also the CA to trust). */
  cert: string;
}

export interface FakeCertificateOptions {
  /** Where the pair is kept; `null` makes a fresh one and keeps nothing. Default: the project's `.cache/fake-azure`. */
  cacheDir?: string | null;
  /** Epoch ms (validity checks). */
  now?: () => number;
}

const DEFAULT_DIR = fileURLToPath(new URL("../../.cache/fake-azure/", import.meta.url));
const FILE = "tls.json";
const DAY_MS = 86_400_000;

/** The cached pair when it is still good for the fake: parses, key matches, both loopback names, valid for another day. */
export function usableCertificate(pair: unknown, now: number): FakeCertificate | undefined {
  if (!pair || typeof pair !== "object") return undefined;
  const { key, cert } = pair as Record<string, unknown>;
  if (typeof key !== "string" || typeof cert !== "string") return undefined;
  try {
    const x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) return undefined;
    if (x509.checkHost("localhost") === undefined || x509.checkIP("127.0.0.1") === undefined) return undefined;
    if (Date.parse(x509.validFrom) > now || Date.parse(x509.validTo) - now < DAY_MS) return undefined;
    return { key, cert };
  } catch {
    return undefined;
  }
}

/** A new self-signed pair for localhost/127.0.0.1 (an EC P-256 key: made in milliseconds). */
async function makeCertificate(): Promise<FakeCertificate> {
  const { generate } = await import("selfsigned");
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 2, value: "localhost" },
          { type: 7, ip: "127.0.0.1" },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

export async function fakeAzureCertificate(opts: FakeCertificateOptions = {}): Promise<FakeCertificate> {
  const dir = opts.cacheDir === undefined ? DEFAULT_DIR : opts.cacheDir;
  const now = opts.now?.() ?? Date.now();
  if (dir === null) return makeCertificate();
  const file = join(dir, FILE);
  let cached: unknown;
  try {
    cached = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    cached = undefined;
  }
  const usable = usableCertificate(cached, now);
  if (usable) return usable;
  const made = await makeCertificate();
  try {
    // Written whole and renamed into place: a concurrent start reads the old pair or the new one, never half.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, JSON.stringify(made), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // A read-only install: this process keeps its own pair.
  }
  return made;
}
