// X.509 certificate generation in pure JS (no openssl binary): @peculiar/x509 on Node's WebCrypto.
// Used by the lab/test servers and anywhere mailctl needs a throwaway CA or server certificate.
import { createPrivateKey, webcrypto } from "node:crypto";
import { isIP } from "node:net";
import { domainToASCII } from "node:url";
import "reflect-metadata"; // tsyringe, under @peculiar/x509, needs the Reflect metadata API before it loads
import * as x509 from "@peculiar/x509";

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
type EcKeyGenParams = webcrypto.EcKeyGenParams;
type RsaHashedKeyGenParams = webcrypto.RsaHashedKeyGenParams;

// @peculiar/x509 needs a WebCrypto implementation; Node's built-in one is complete for EC and RSA.
// (tsconfig has no DOM lib, so the library's `Crypto` type is unresolved; Node's object fits it.)
const crypto = webcrypto;
x509.cryptoProvider.set(crypto as never);

/** A PEM certificate and its PEM PKCS#8 private key. */
export interface KeyPair {
  cert: string;
  key: string;
}

/** Knobs for generated certificates; every field has a sensible default. */
export interface CertOptions {
  commonName?: string;
  hosts?: string[];
  notBefore?: Date;
  notAfter?: Date;
  keyType?: "ec" | "rsa";
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
// 825 days is Apple's limit for any TLS server cert, private CAs included (since 2019);
// a longer-lived test cert would be rejected by macOS/iOS clients.
const SERVER_VALIDITY = 825 * DAY;
const CA_VALIDITY = 3652 * DAY;
// Back-date by an hour so a client whose clock is slightly behind does not see "not yet valid".
const BACKDATE = HOUR;

const EC_ALG: EcKeyGenParams = { name: "ECDSA", namedCurve: "P-256" };
const RSA_ALG: RsaHashedKeyGenParams = {
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: "SHA-256",
};

function keyAlgorithm(keyType: "ec" | "rsa" | undefined): EcKeyGenParams | RsaHashedKeyGenParams {
  return keyType === "rsa" ? RSA_ALG : EC_ALG;
}

async function generateKeys(keyType: "ec" | "rsa" | undefined): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(keyAlgorithm(keyType), true, ["sign", "verify"]);
}

/**
 * RFC 5280 §4.1.2.2: serial is a positive INTEGER of at most 20 octets, unique per CA.
 * 16 random bytes with the top bit cleared stay positive without a 0x00 pad.
 */
function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x01; // clear sign bit; keep the first octet non-zero (DER minimal encoding)
  return Buffer.from(bytes).toString("hex");
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString("base64");
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)!.join("\n")}\n-----END ${label}-----\n`;
}

async function exportPrivateKey(key: CryptoKey): Promise<string> {
  return toPem(await crypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY");
}

const CURVES: Record<string, string> = { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" };

/** Import a PEM private key (PKCS#8, or legacy PKCS#1/SEC1 — Node converts) as a WebCrypto signing key. */
async function importSigningKey(pem: string): Promise<CryptoKey> {
  const ko = createPrivateKey(pem);
  const der = new Uint8Array(ko.export({ format: "der", type: "pkcs8" }));
  if (ko.asymmetricKeyType === "ec") {
    const curve = CURVES[ko.asymmetricKeyDetails?.namedCurve ?? ""];
    if (!curve) throw new Error(`unsupported CA key curve: ${ko.asymmetricKeyDetails?.namedCurve}`);
    return crypto.subtle.importKey("pkcs8", der, { name: "ECDSA", namedCurve: curve }, false, ["sign"]);
  }
  if (ko.asymmetricKeyType === "rsa") {
    return crypto.subtle.importKey("pkcs8", der, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
  }
  throw new Error(`unsupported CA key type: ${ko.asymmetricKeyType}`);
}

/** Turn an IPv6 literal (optionally bracketed, with embedded IPv4 or a zone) into 8 hex groups the encoder accepts. */
function normalizeIPv6(ip: string): string {
  let s = ip.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const o = v4[1]!.split(".").map(Number);
    s = s.slice(0, -v4[1]!.length) + `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  return s;
}

/**
 * RFC 5280 §4.2.1.6: IP addresses go in iPAddress (4 or 16 octets), names in dNSName.
 * Clients ignore the CN when a SAN is present (RFC 6125 §6.4.4), so every host must be here.
 */
function subjectAltNames(hosts: string[]): x509.SubjectAlternativeNameExtension {
  const names: x509.JsonGeneralName[] = hosts.map((h) => {
    const bare = h.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
    const fam = isIP(bare);
    if (fam === 4) return { type: "ip", value: bare };
    if (fam === 6) return { type: "ip", value: normalizeIPv6(bare) };
    // dNSName is an IA5String (ASCII): internationalised names go in as A-labels (punycode).
    return { type: "dns", value: domainToASCII(h) || h.toLowerCase() };
  });
  return new x509.SubjectAlternativeNameExtension(names, false);
}

function subjectName(cn: string): x509.JsonName {
  // JSON form, not "CN=..." text, so commas/equals in a CN need no escaping.
  return [{ CN: [cn] }];
}

/** Leaf extensions shared by CA-issued and self-signed server certificates. */
function leafExtensions(hosts: string[], keyType: "ec" | "rsa" | undefined): x509.Extension[] {
  // RFC 5280 §4.2.1.3: ECDHE with ECDSA/RSA only needs digitalSignature; keyEncipherment is for
  // TLS ≤1.2 RSA key transport, which old servers/clients may still negotiate with an RSA key.
  const usage =
    keyType === "rsa"
      ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
      : x509.KeyUsageFlags.digitalSignature;
  const exts: x509.Extension[] = [
    // RFC 5280 §4.2.1.9: an end-entity cert states cA=FALSE (critical, so no one can use it as a CA).
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(usage, true),
    // RFC 5280 §4.2.1.12: restrict the key to TLS server authentication.
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
  ];
  if (hosts.length > 0) exts.push(subjectAltNames(hosts));
  return exts;
}

function validity(opts: CertOptions | undefined, span: number): { notBefore: Date; notAfter: Date } {
  const notBefore = opts?.notBefore ?? new Date(Date.now() - BACKDATE);
  // The span counts from notBefore, so a default server cert's whole validity period is exactly 825 days.
  const notAfter = opts?.notAfter ?? new Date(notBefore.getTime() + span);
  if (notAfter.getTime() <= notBefore.getTime()) throw new Error("notAfter must be after notBefore");
  return { notBefore, notAfter };
}

/** Create a self-signed root CA (ECDSA P-256 by default) that can issue server certificates. */
export async function createCA(opts: CertOptions = {}): Promise<KeyPair> {
  const keys = await generateKeys(opts.keyType);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: subjectName(opts.commonName ?? "mailctl test CA"),
    keys,
    ...validity(opts, CA_VALIDITY),
    extensions: [
      // RFC 5280 §4.2.1.9: cA=TRUE, and conforming CAs MUST mark it critical.
      new x509.BasicConstraintsExtension(true, undefined, true),
      // RFC 5280 §4.2.1.3: a CA key signs certificates (keyCertSign) and CRLs (cRLSign).
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      // RFC 5280 §4.2.1.2: SKI is MUST for CA certs; issued certs point back to it via AKI.
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString("pem") + "\n", key: await exportPrivateKey(keys.privateKey) };
}

/** Issue a TLS server certificate for `opts.hosts` (CN = first host) signed by `ca`. */
export async function issueServerCert(ca: KeyPair, opts: CertOptions): Promise<KeyPair> {
  const hosts = opts.hosts ?? [];
  const cn = opts.commonName ?? hosts[0];
  if (!cn) throw new Error("issueServerCert needs hosts or commonName");
  const caCert = new x509.X509Certificate(ca.cert);
  const signingKey = await importSigningKey(ca.key);
  const keys = await generateKeys(opts.keyType);

  // RFC 5280 §4.2.1.1: AKI keyIdentifier must equal the issuer's SKI so path builders can match them;
  // fall back to the RFC 5280 §4.2.1.2 method-1 hash if the CA lacks an SKI.
  const caSki = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  const aki = caSki
    ? new x509.AuthorityKeyIdentifierExtension(caSki.keyId, false)
    : await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey, false);

  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: subjectName(cn),
    // Reuse the CA's encoded subject byte-for-byte: RFC 5280 §7.1 name matching is fussy about string types.
    issuer: caCert.subjectName,
    publicKey: keys.publicKey,
    signingKey,
    ...validity(opts, SERVER_VALIDITY),
    extensions: [
      ...leafExtensions(hosts, opts.keyType),
      aki,
      // RFC 5280 §4.2.1.2: SKI SHOULD be in end-entity certs too.
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString("pem") + "\n", key: await exportPrivateKey(keys.privateKey) };
}

/** Create a self-signed leaf (cA=FALSE) for `opts.hosts`; verifiers report DEPTH_ZERO_SELF_SIGNED_CERT. */
export async function createSelfSigned(opts: CertOptions): Promise<KeyPair> {
  const hosts = opts.hosts ?? [];
  const cn = opts.commonName ?? hosts[0] ?? "localhost";
  const keys = await generateKeys(opts.keyType);
  const ski = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: subjectName(cn),
    keys,
    ...validity(opts, SERVER_VALIDITY),
    extensions: [
      ...leafExtensions(hosts, opts.keyType),
      ski,
      // RFC 5280 §4.2.1.1: AKI may be omitted for self-signed certs, but OpenSSL recognises
      // self-signature by issuer==subject plus AKI==SKI; stating it keeps that unambiguous.
      new x509.AuthorityKeyIdentifierExtension(ski.keyId, false),
    ],
  });
  return { cert: cert.toString("pem") + "\n", key: await exportPrivateKey(keys.privateKey) };
}
