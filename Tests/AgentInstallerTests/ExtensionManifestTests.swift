import AgentInstaller
import AgentSupport
import Testing
import TestSupport

/// The release `HandlerManifest.json` and the invocation as the guest agent makes it.
@Suite struct ExtensionManifestTests {
    @Test func manifestIsTheAgentsFormatWithRealBooleans() async throws {
        let path = Repository.root + "/release/HandlerManifest.json"
        let script = """
            import json,sys
            d=json.load(open(sys.argv[1]))
            assert isinstance(d,list) and len(d)==1 and d[0]["name"]=="OmsAgentForLinux"
            m=d[0]["handlerManifest"]
            for k in ("rebootAfterInstall","reportHeartbeat","continueOnUpdateFailure"): assert type(m[k]) is bool, k
            assert m["reportHeartbeat"] is False and m["updateMode"].lower()=="updatewithinstall"
            for op in ("install","enable","disable","uninstall","update"): print(m[op+"Command"])
            """
        let commands = try await Oracle.output(["python3", "-c", script, path]).split(separator: "\n").map(String.init)
        #expect(commands.count == 5)
        for (command, expected) in zip(commands, [HandlerOperation.install, .enable, .disable, .uninstall, .update]) {
            let argv = command.split(separator: " ").map(String.init)
            #expect(!argv[0].hasPrefix("/"))
            #expect(try HandlerOperation.parse(argv.last) == expected)
        }
    }

    @Test func invocationWithTheManifestArgument() async throws {
        let f = try await ExtensionFixture()
        try await f.writeStandardSettings(seq: 4)
        let ops = RecordingExtensionOperations()
        var result = await ExtensionInvocation.run(arguments: ["-bogus"], handlerDirectory: f.handlerDirectory,
                                                   root: f.root.path, environment: [:], operations: ops)
        #expect(result == .init(summaryLine: "Unknown,error,1,No valid operation provided", code: 1))
        result = await ExtensionInvocation.run(arguments: ["-disable"], handlerDirectory: f.handlerDirectory,
                                               root: f.root.path, environment: ["ConfigSequenceNumber": "4"], operations: ops)
        #expect(result == .init(summaryLine: "Disable,success,0,Disable succeeded", code: 0))
        #expect(try await f.statusFields(seq: 4) == ["Disable", "success", "0", "Disable succeeded"])
        result = await ExtensionInvocation.run(arguments: ["-disable"], handlerDirectory: f.handlerDirectory,
                                               root: f.dir.url("absent"), environment: [:], operations: ops)
        #expect(result.code == 2 && result.summaryLine.hasPrefix("Disable,error,2,"))
        #expect(ops.recorded.count == 1)
    }
}
