// The fake Azure's certificate is made once and reused from its cache folder, renewed when it is
// no longer good for loopback TLS, and a cache that cannot be used never stops the fake starting.
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fakeAzureCertificate, usableCertificate } from "../../src/fake-azure/certificate.ts";
import { startFakeAzure } from "../../src/fake-azure/server.ts";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "gpuops-fake-cert-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** An instant inside the certificate's validity, `offsetMs` after it starts. */
const during = (cert: string, offsetMs = 60_000) => Date.parse(new X509Certificate(cert).validFrom) + offsetMs;

describe("fake Azure certificate cache", () => {
  it("makes a pair once, keeps it private on disk, and hands the same pair to the next start", async () => {
    const dir = tempDir();
    const first = await fakeAzureCertificate({ cacheDir: dir });
    const file = join(dir, "tls.json");
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(first);
    const second = await fakeAzureCertificate({ cacheDir: dir, now: () => during(first.cert) });
    expect(second).toEqual(first);
    const x509 = new X509Certificate(first.cert);
    expect(x509.checkHost("localhost")).toBe("localhost");
    expect(x509.checkIP("127.0.0.1")).toBe("127.0.0.1");
  });

  it("renews a pair with less than a day left, and rewrites the cache", async () => {
    const dir = tempDir();
    const old = await fakeAzureCertificate({ cacheDir: dir });
    const nearEnd = Date.parse(new X509Certificate(old.cert).validTo) - 3_600_000;
    expect(usableCertificate(old, nearEnd)).toBeUndefined();
    const renewed = await fakeAzureCertificate({ cacheDir: dir, now: () => nearEnd });
    expect(renewed.cert).not.toBe(old.cert);
    expect(JSON.parse(readFileSync(join(dir, "tls.json"), "utf8"))).toEqual(renewed);
  });

  it("replaces a cache that is corrupt or whose key does not match its certificate", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "tls.json"), "{not json");
    const made = await fakeAzureCertificate({ cacheDir: dir });
    expect(usableCertificate(made, during(made.cert))).toEqual(made);
    const other = await fakeAzureCertificate({ cacheDir: null });
    const mismatched = { key: other.key, cert: made.cert };
    expect(usableCertificate(mismatched, during(made.cert))).toBeUndefined();
    writeFileSync(join(dir, "tls.json"), JSON.stringify(mismatched));
    const fixed = await fakeAzureCertificate({ cacheDir: dir, now: () => during(made.cert) });
    expect(usableCertificate(fixed, during(fixed.cert))).toEqual(fixed);
    expect(fixed.key).not.toBe(other.key);
  });

  it("still starts when the cache folder cannot be written (a file stands where it should be)", async () => {
    const parent = tempDir();
    const blocked = join(parent, "not-a-dir");
    writeFileSync(blocked, "");
    const pair = await fakeAzureCertificate({ cacheDir: join(blocked, "fake-azure") });
    expect(usableCertificate(pair, during(pair.cert))).toEqual(pair);
  });

  it("serves HTTPS with the cached pair, trusted through the CA it hands out", async () => {
    const dir = tempDir();
    const a = await startFakeAzure({ certCacheDir: dir });
    const b = await startFakeAzure({ certCacheDir: dir });
    try {
      expect(b.ca).toBe(a.ca);
      const status = await new Promise<number | undefined>((resolve, reject) => {
        const req = request(`${b.url}/api/retail/prices?currencyCode='USD'`, { ca: b.ca }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode));
        });
        req.on("error", reject);
        req.end();
      });
      expect(status).toBe(200);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
