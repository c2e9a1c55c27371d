import AgentInstaller
import Testing

/// The text edits of stages 6, 7 and 9 as pure functions.
@Suite struct PlanFileEditsTests {
    @Test("Cylance: only lines starting with LD_PRELOAD= are commented out; applying twice changes nothing more")
    func commentOutPreload() {
        let text = "LD_PRELOAD=/a.so\n#LD_PRELOAD=/b.so\nX=1 LD_PRELOAD=/c.so\n LD_PRELOAD=/d.so\nLD_PRELOAD=\n"
        let once = PlanFileEdits.commentOutPreload(text)
        #expect(once == "#LD_PRELOAD=/a.so\n#LD_PRELOAD=/b.so\nX=1 LD_PRELOAD=/c.so\n LD_PRELOAD=/d.so\n#LD_PRELOAD=\n")
        #expect(PlanFileEdits.commentOutPreload(once) == once)
        #expect(PlanFileEdits.apply(.commentOutPreload, to: text) == once)
        #expect(PlanFileEdits.apply(.syslogHotfix, to: "protocol_type tcp\n") == "protocol_type udp\n")
    }

    @Test("the consistency invoker's cron line: four quarter-hour minutes from A, user omsagent", arguments: 2...14)
    func cronLine(_ a: Int) {
        #expect(PlanFileEdits.consistencyInvokerCronLine(minute: a)
                == "\(a),\(a + 15),\(a + 30),\(a + 45) * * * * omsagent /opt/omi/bin/OMSConsistencyInvoker >/dev/null 2>&1\n")
    }

    @Test("a creation diff lists the new lines")
    func creationDiff() {
        #expect(PlanFileEdits.creationDiff(path: "/etc/x", new: "a\nb\n") == "--- /dev/null\n+++ b/etc/x\n@@ -0,0 +1,2 @@\n+a\n+b")
    }
}
