import AgentInstaller
import AgentSupport
import Testing
import TestSupport

/// Instance metadata for enable (§8.3 steps 3 and 6): the Azure VM address or, with `himdsd` active, the Azure Arc
/// `IMDS_ENDPOINT`; asked directly even when the environment names a proxy. The IMDS stand-in is a python3 HTTP
/// server on 127.0.0.1 that answers only requests carrying `Metadata: True` and logs each request.
@Suite struct ExtensionMetadataTests {
    static let binary = ExtensionEndToEndTests.binary

    static let server = """
        import http.server, json, os, sys
        log = open(sys.argv[2], "a")
        class H(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                log.write(json.dumps({"path": self.path, "metadata": self.headers.get("Metadata")}) + "\\n"); log.flush()
                if self.headers.get("Metadata") != "True" or not self.path.startswith("/metadata/instance?"):
                    self.send_response(400); self.end_headers(); return
                body = json.dumps({"compute": {"subscriptionId": "sub-7", "resourceGroupName": "rg7", "name": "vm_3",
                                               "vmScaleSetName": "ss", "azEnvironment": "AzureUSGovernmentCloud"}}).encode()
                self.send_response(200); self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
            def log_message(self, *args): pass
        s = http.server.HTTPServer(("127.0.0.1", 0), H)
        with open(sys.argv[1] + ".tmp", "w") as f: f.write("%d\\n%d\\n" % (os.getpid(), s.server_address[1]))
        os.rename(sys.argv[1] + ".tmp", sys.argv[1])
        s.serve_forever()
        """

    @Test func arcEndpointFromTheDropIn() throws {
        let dir = TemporaryDirectory()
        let root = try HostRoot(dir.path)
        #expect(InstanceMetadata.arcURL(root: root) == nil)
        try dir.write("lib/systemd/system.conf.d/azcmagent.conf", """
            # written by azcmagent
            [Manager]
            DefaultEnvironment="IMDS_ENDPOINT=http://localhost:40342/" "IDENTITY_ENDPOINT=http://localhost:40342/metadata/identity/oauth2/token"
            """)
        #expect(InstanceMetadata.arcURL(root: root) == "http://localhost:40342/metadata/instance?api-version=2019-08-15")
        try dir.write("lib/systemd/system.conf.d/azcmagent.conf", "[Manager]\nDefaultEnvironment=IMDS_ENDPOINT=file:///etc/shadow\n")
        #expect(InstanceMetadata.arcURL(root: root) == nil, "only an http:// endpoint is used")
    }

    @Test func enableAsksTheAzureOrArcEndpointDirectly() async throws {
        let f = try await ExtensionFixture()
        try await f.writeStandardSettings(seq: 0)
        let imds = try await BackgroundProgram(["python3", "-c", Self.server, f.dir.url("imds.ready"), f.dir.url("imds.log")],
                                               readyFile: f.dir.url("imds.ready"))
        let port = try #require(f.dir.read("imds.ready")?.split(separator: "\n").last.map(String.init))
        // Proxies that do not exist: a request routed through them would fail.
        let proxies = ["http_proxy": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "no_proxy": "", "NO_PROXY": ""]
        func enable() async throws -> ProcessOutput {
            try await Oracle.run([Self.binary, "extension", "--root", f.dir.path, "--handler-dir", f.handlerDirectory,
                                  "--metadata-url", "http://127.0.0.1:\(port)/metadata/instance?api-version=2018-10-01",
                                  "-enable"], environment: proxies.merging(["ConfigSequenceNumber": "0"]) { $1 })
        }
        var out = try await enable()
        #expect(out.status == 52 && out.standardOutput.hasPrefix("Enable,error,52,Enable cannot be called before install"),
                "\(out.standardOutput) \(out.standardError)")
        var log = FileIO.read(f.extensionLog).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let resource = "/subscriptions/sub-7/resourceGroups/rg7/providers/Microsoft.Compute/virtualMachineScaleSets/ss/virtualMachines/vm_3"
        #expect(log.contains("instance metadata from http://127.0.0.1:\(port)/metadata/instance?api-version=2018-10-01\n"), "\(log)")
        #expect(log.contains("instance metadata: resource id \(resource), domain opinsights.azure.us"), "\(log)")

        // Azure Arc: himdsd's unit in the tree and the agent's drop-in naming the endpoint.
        try f.dir.write("lib/systemd/system/himdsd.service", "[Service]\nExecStart=/opt/azcmagent/bin/himds\n")
        try f.dir.write("lib/systemd/system.conf.d/azcmagent.conf",
                        "[Manager]\nDefaultEnvironment=\"IMDS_ENDPOINT=http://127.0.0.1:\(port)\"\n")
        out = try await enable()
        #expect(out.status == 52)
        log = FileIO.read(f.extensionLog).map { String(decoding: $0, as: UTF8.self) } ?? ""
        #expect(log.contains("instance metadata from http://127.0.0.1:\(port)/metadata/instance?api-version=2019-08-15 (Azure Arc himdsd)"), "\(log)")

        await imds.stop()
        // The server's log (json lines), read by python3: both requests arrived with Metadata: True.
        let requests = try await Oracle.output(["python3", "-c", """
            import json, sys
            for line in open(sys.argv[1]):
                r = json.loads(line); print(r["metadata"], r["path"])
            """, f.dir.url("imds.log")])
        #expect(requests == "True /metadata/instance?api-version=2018-10-01\nTrue /metadata/instance?api-version=2019-08-15\n")
    }
}
