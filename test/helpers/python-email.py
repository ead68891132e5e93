# The From header as Python's own email package writes it, for test/unit/headers/python-email.test.ts.
# Reads {"values": [...], "pairs": [[name, addr], ...]} on stdin; writes, for each value, the bytes of the From
# field (name, colon, value, folding included, up to the line break that ends it) in base64, for each way an app
# serialises a message:
# - dify: api/libs/smtp.py — MIMEMultipart(); msg["From"] = value; smtp.sendmail(..., msg.as_string())
# - compat32: aiosmtplib.email.flatten_message on an email.mime message — BytesGenerator(policy=compat32)
# - default: aiosmtplib.email.flatten_message on an EmailMessage — BytesGenerator(policy=email.policy.SMTP)
# and email.utils.formataddr((name, addr)) for each pair.
import base64, io, json, sys
import email.generator, email.policy, email.utils
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

def field(data: bytes) -> str:
    head = data.split(b"\r\n\r\n" if b"\r\n\r\n" in data else b"\n\n")[0]
    nl = b"\r\n" if b"\r\n" in head else b"\n"
    lines = head.split(nl)
    start = next(i for i, l in enumerate(lines) if l.startswith(b"From:"))
    end = start + 1
    while end < len(lines) and lines[end][:1] in (b" ", b"\t"):
        end += 1
    return base64.b64encode(b"\r\n".join(lines[start:end])).decode()

def attempt(fn):
    try:
        return fn()
    except Exception as e:  # what the app would raise instead of sending
        return {"error": f"{type(e).__name__}: {e}"}

def dify(v):
    m = MIMEMultipart(); m["Subject"] = "s"; m["From"] = v; m["To"] = "to@example.com"
    return field(m.as_string().encode("utf-8"))

def compat32(v):
    m = MIMEText("body", "plain", "utf-8"); m["From"] = v; m["To"] = "to@example.com"
    b = io.BytesIO(); email.generator.BytesGenerator(b, policy=email.policy.compat32).flatten(m)
    return field(b.getvalue())

def default(v):
    m = EmailMessage(); m["From"] = v; m["To"] = "to@example.com"; m.set_content("body")
    b = io.BytesIO(); email.generator.BytesGenerator(b, policy=email.policy.SMTP).flatten(m)
    return field(b.getvalue())

req = json.load(sys.stdin)
out = {
    "python": sys.version.split()[0],
    "values": [{"value": v, "dify": attempt(lambda: dify(v)), "compat32": attempt(lambda: compat32(v)), "default": attempt(lambda: default(v))} for v in req["values"]],
    "formataddr": [attempt(lambda: email.utils.formataddr((n, a))) for n, a in req["pairs"]],
}
json.dump(out, sys.stdout)
