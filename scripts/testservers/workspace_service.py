#!/usr/bin/env python3
"""Stand-in for the Log Analytics topology (onboarding) endpoint, for tests only (python3 stdlib).

Runs behind nginx, which terminates TLS with `ssl_verify_client optional_no_ca` and forwards the client
certificate in X-Client-Cert ($ssl_client_escaped_cert), X-Client-Verify and X-Server-Protocol.
Verifies what the real service does (agent contract §10.5, §15): every header, x-ms-Date format and skew
(15 minutes), the content hash of the exact body bytes, the HMAC-SHA256 signature with the workspace key,
the Authorization format, and that the body's AuthenticationCertificate equals the TLS client certificate
whose subject is CN=<ws>, CN=<guid>, OU=Linux Monitoring Agent, O=Microsoft.
Answers 200 with a LinuxAgentTopologyResponse, or 403 with <Reason>. Each request is appended to the log
file as one JSON line.

usage: workspace_service.py PORT KEYS_FILE LOG_FILE
KEYS_FILE lines: <workspace id> <base64 key> [forced HTTP status | "garbage" for a 200 with a non-XML body |
"skew" for a service whose clock is 20 minutes ahead: its Date header says so, and it judges x-ms-Date by it]
"""
import base64, datetime, hashlib, hmac, json, os, re, ssl, sys, tempfile, threading, time, urllib.parse
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, KEYS_FILE, LOG_FILE = int(sys.argv[1]), sys.argv[2], sys.argv[3]
PATH = "/AgentService.svc/LinuxAgentTopologyRequest"
DATE_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}[+-]\d\d:\d\d$")
NS = "{http://schemas.microsoft.com/WorkloadMonitoring/HealthServiceProtocol/2014/09/}"
LOCK = threading.Lock()
SKEW_SECONDS = 20 * 60


def workspaces():
    out = {}
    with open(KEYS_FILE) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                out[parts[0].lower()] = (base64.b64decode(parts[1]), parts[2] if len(parts) > 2 else None)
    return out


def pem_body(pem):
    lines = [l for l in pem.strip().splitlines() if l and not l.startswith("-----")]
    return "\n".join(lines)


def subject_of(pem):
    with tempfile.NamedTemporaryFile("w", suffix=".pem") as f:
        f.write(pem)
        f.flush()
        decoded = ssl._ssl._test_decode_cert(f.name)
    return [(k, v) for rdn in decoded["subject"] for (k, v) in rdn]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    clock_offset = 0  # seconds this service's clock is ahead (the "skew" workspace)

    def log_message(self, *args):
        pass

    def date_time_string(self, timestamp=None):
        """The Date header, from this service's (possibly skewed) clock."""
        return super().date_time_string((time.time() if timestamp is None else timestamp) + self.clock_offset)

    def answer(self, status, body, record):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        record["status"] = status
        with LOCK, open(LOG_FILE, "a") as f:
            f.write(json.dumps(record) + "\n")

    def forbid(self, reason, record):
        record["reason"] = reason
        self.answer(403, '<?xml version="1.0" encoding="utf-8"?><Error><Reason>%s</Reason></Error>' % reason, record)

    def do_POST(self):
        self.clock_offset = 0
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        record = {"path": self.path, "protocol": self.headers.get("X-Server-Protocol"),
                  "headers": {k: v for k, v in self.headers.items() if not k.lower().startswith("x-client")},
                  "body": base64.b64encode(body).decode()}
        if self.path != PATH:
            return self.answer(404, "<Error>not found</Error>", record)
        required = ["x-ms-Date", "x-ms-version", "x-ms-SHA256_Content", "Authorization", "User-Agent",
                    "Accept-Language", "Content-Type"]
        if any(self.headers.get(h) is None for h in required):
            return self.forbid("MissingHeader", record)
        claimed = re.match(r"([0-9a-fA-F-]{36}); ", self.headers["Authorization"])
        if claimed and (workspaces().get(claimed.group(1).lower()) or (None, None))[1] == "skew":
            self.clock_offset = SKEW_SECONDS
        date = self.headers["x-ms-Date"]
        if (self.headers["x-ms-version"] != "August, 2014" or self.headers["Accept-Language"] != "en-US"
                or not self.headers["User-Agent"].startswith("LinuxMonitoringAgent/")
                or self.headers["Content-Type"] != "application/x-www-form-urlencoded"):
            return self.forbid("InvalidHeader", record)
        if record["protocol"] != "HTTP/1.1":
            return self.forbid("NotHttp11", record)
        if not DATE_RE.match(date):
            return self.forbid("InvalidDate", record)
        when = datetime.datetime.fromisoformat(date[:26] + date[29:])
        now = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=self.clock_offset)
        if abs((now - when).total_seconds()) > 900:
            return self.forbid("ClockSkew", record)
        content_hash = base64.b64encode(hashlib.sha256(body).digest()).decode()
        if self.headers["x-ms-SHA256_Content"] != content_hash:
            return self.forbid("ContentHashMismatch", record)
        m = re.fullmatch(r"([0-9a-fA-F-]{36}); ([A-Za-z0-9+/]{43}=)", self.headers["Authorization"])
        if not m:
            return self.forbid("InvalidAuthorization", record)
        ws = m.group(1)
        known = workspaces().get(ws.lower())
        if known is None:
            return self.forbid("InvalidWorkspaceId", record)
        key, forced = known
        expected = base64.b64encode(hmac.new(key, (date + "\n" + content_hash + "\n").encode(),
                                             hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(expected, m.group(2)):
            return self.forbid("InvalidWorkspaceKey", record)
        if self.headers.get("X-Client-Verify", "NONE") == "NONE" or not self.headers.get("X-Client-Cert"):
            return self.forbid("MissingClientCertificate", record)
        client_pem = urllib.parse.unquote(self.headers["X-Client-Cert"])
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            return self.forbid("InvalidRequestBody", record)
        if root.tag != NS + "AgentTopologyRequest":
            return self.forbid("InvalidRequestBody", record)
        guid = root.findtext(NS + "EntityTypeId") or ""
        cert = root.findtext(NS + "AuthenticationCertificate") or ""
        fqdn = root.findtext(NS + "FullyQualfiedDomainName") or ""
        if not fqdn or fqdn != fqdn.strip():
            return self.forbid("InvalidRequestBody", record)
        if cert != pem_body(client_pem):
            return self.forbid("CertificateMismatch", record)
        subject = subject_of(client_pem)
        want = [("commonName", ws), ("commonName", guid), ("organizationalUnitName", "Linux Monitoring Agent"),
                ("organizationName", "Microsoft")]
        if subject != want:
            record["subject"] = subject
            return self.forbid("InvalidCertificateSubject", record)
        if forced == "garbage":
            return self.answer(200, "this is not the XML you are looking for", record)
        if forced and forced != "skew":
            return self.answer(int(forced), "<Error>forced status %s</Error>" % forced, record)
        record["agent_guid"] = guid
        self.answer(200, """<?xml version="1.0" encoding="utf-8"?>
<LinuxAgentTopologyResponse queryInterval="PT1H" telemetryReportInterval="PT1H" id="{guid}" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" \
xmlns="http://schemas.microsoft.com/WorkloadMonitoring/HealthServiceProtocol/2014/09/">
  <CertificateUpdateEndpoint updateCertificate="false">https://{ws}.oms.opinsights.azure.com/ConfigurationService.Svc/RenewCertificate</CertificateUpdateEndpoint>
  <DscConfiguration>
    <Endpoint>https://{ws}.agentsvc.azure-automation.net/Accounts/{ws}/Nodes(AgentId='{guid}')</Endpoint>
    <AccountKey>secondarykeyvalue</AccountKey>
  </DscConfiguration>
</LinuxAgentTopologyResponse>""".format(ws=ws, guid=guid), record)


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
