import { has, kind } from "../signals.js";
import { entries } from "./types.js";

/** Certificate and TLS-version causes. */
export const TLS = entries([
  {
    id: "cert-untrusted",
    category: "ioerr",
    stage: "tls",
    signals: "DEPTH_ZERO_SELF_SIGNED_CERT / SELF_SIGNED_CERT_IN_CHAIN / UNABLE_TO_VERIFY_LEAF_SIGNATURE; \"certificate signed by unknown authority\"; Java \"PKIX path building failed\"; \"certificate verify failed\"",
    rules: [
      {
        priority: 110,
        test: (e) =>
          kind(e, "cert-untrusted", "cert-self-signed") ||
          has(e, /self[- ]signed|unknown authority|PKIX path|could not convert socket to TLS|certificate verify failed|unable to verify the first certificate|unable to get local issuer|UNABLE_TO_VERIFY|SELF_SIGNED|remote certificate is invalid|certificate could not be validated|CERTIFICATE_VERIFY_FAILED/i),
      },
    ],
    title: "The server's certificate is not trusted",
    explain: (c) =>
      `The TLS certificate ${c.target?.host ? `of ${c.target.host} ` : ""}is not signed by a certificate authority this machine trusts${c.e.code ? ` (${c.e.code})` : ""}: ` +
      "it is self-signed, signed by a private CA, or the server does not send its intermediate certificate. The connection was stopped before any password was sent.",
    fix: () => [
      { text: "If the server uses a private CA, trust that CA explicitly: mailctl --ca ca.pem (nodemailer tls.ca; Python ssl context cafile; msmtp tls_trust_file)." },
      { text: "If it is your server, install a certificate from a public CA (e.g. Let's Encrypt) including the full chain (Postfix smtpd_tls_chain_files)." },
      { text: "Turning verification off (--insecure, rejectUnauthorized: false) hides the problem and exposes the password to interception: use it only to test." },
    ],
  },
  {
    id: "cert-expired",
    category: "ioerr",
    stage: "tls",
    signals: "CERT_HAS_EXPIRED / CERT_NOT_YET_VALID; \"certificate has expired\"; Go \"expired or is not yet valid\"",
    rules: [
      {
        priority: 90,
        test: (e) => kind(e, "cert-expired", "cert-not-yet-valid") || has(e, /certificate (has )?expired|CERT_HAS_EXPIRED|expired or is not yet valid|CERT_NOT_YET_VALID/i),
      },
    ],
    title: "The server's certificate has expired",
    explain: (c) =>
      `The server presents a certificate outside its validity period${c.e.code ? ` (${c.e.code})` : ""}. Either the certificate really expired (renewal failed), or this machine's clock is wrong.`,
    fix: () => [
      { text: "Check this machine's date and time (`date -u`)." },
      { text: "If the server is yours, renew the certificate (e.g. `certbot renew`) and reload the mail server; otherwise tell its operator." },
    ],
  },
  {
    id: "cert-hostname-mismatch",
    category: "ioerr",
    stage: "tls",
    signals: "ERR_TLS_CERT_ALTNAME_INVALID; \"does not match certificate's altnames\"; Python \"Hostname mismatch\"; Go \"certificate is valid for X, not Y\"",
    rules: [
      {
        priority: 100,
        test: (e) =>
          kind(e, "cert-hostname") ||
          has(e, /altnames|hostname mismatch|certificate is valid for .+, not |ERR_TLS_CERT_ALTNAME_INVALID|no subject alternative (dns )?names? matching|RemoteCertificateNameMismatch/i),
      },
    ],
    title: "The certificate is for a different host name",
    explain: (c) =>
      `The certificate is valid, but not for the name the client connected to${c.target ? ` (${c.target.host})` : ""}. ` +
      "This happens when connecting by IP address or by an alias (mail.example.com vs. the server's real name smtp.provider.com).",
    fix: (c) => [
      { text: "Connect by the name in the certificate (see `mailctl probe` for its names), or keep the address and verify against that name: mailctl --servername <name> (nodemailer tls.servername).", ...(c.provider ? { change: { host: c.provider.host } } : {}) },
    ],
  },
  {
    id: "tls-protocol-too-old",
    category: "ioerr",
    stage: "tls",
    signals: "OpenSSL \"tlsv1 alert protocol version\" / \"unsupported protocol\"; Java \"No appropriate protocol\"; Go \"unsupported protocol version\"; Microsoft 421 4.7.66",
    rules: [
      {
        priority: 80,
        test: (e) =>
          kind(e, "tls-protocol-version") ||
          has(e, /alert protocol version|unsupported protocol|no appropriate protocol|unsupported protocol version|TLS 1\.0 and 1\.1 are not supported|4\.7\.66|sslv3 alert handshake failure|NO_PROTOCOLS_AVAILABLE/i),
      },
    ],
    title: "The server speaks only an outdated TLS version",
    explain: (c) =>
      `${c.provider?.name === "office365" ? "Microsoft 365 refuses TLS 1.0/1.1 clients" : "The client and the server share no TLS version"}: ` +
      "current clients refuse TLS 1.0 and 1.1 (RFC 8996), and this server offers nothing newer — or the reverse, an old client against a server that requires TLS 1.2.",
    fix: () => [
      { text: "Upgrade the server (or the client) to TLS 1.2 or later." },
      { text: "Only to reach a legacy server you cannot change: allow TLS 1.0 in the client (nodemailer tls: {minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0'})." },
    ],
  },
  {
    id: "tls-cipher-mismatch",
    category: "ioerr",
    stage: "tls",
    signals: "a handshake failure alert (40) that a second handshake allowing TLS 1.0 and the weakest ciphers meets again (a NULL-only server); a server log's \"no shared cipher\"",
    rules: [
      {
        priority: 70,
        test: (e) => kind(e, "tls-no-shared-cipher") || has(e, /no shared cipher|NO_SHARED_CIPHER/i),
      },
    ],
    title: "The server shares no TLS cipher with the client",
    explain: () =>
      "The server refused every cipher the client offered (OpenSSL \"sslv3 alert handshake failure\", alert 40), and it refused them again when a second handshake allowed TLS 1.0 and the weakest ciphers OpenSSL has: " +
      "so it is not an outdated TLS version, but a cipher list no current client can meet — a server set to NULL ciphers (which encrypt nothing) or export ciphers, or a list with a mistake in it.",
    fix: () => [
      { text: "If the server is yours, give it the usual modern cipher list (OpenSSL DEFAULT; Postfix: smtpd_tls_ciphers = medium, with no tls_null_cipherlist or eNULL override)." },
      { text: "Do not work around it by allowing NULL ciphers in the client: the password and the mail would cross the network unencrypted." },
    ],
  },
]);
