import AgentInstaller
import AgentSupport
import FoundationEssentials
import Preflight
import Testing
import TestSupport

/// `InstallPlan.make` over a synthetic manifest and facts: actions, codes, commands, and the JSON round trip.
@Suite struct InstallPlanTests {
    let manifest = BundleManifest(entryPaths: [
        "300/omi-1.6.10-2.ulinux.s.x64.rpm", "300/scx-1.6.10-1.universal.s.x64.rpm",
        "300/omsagent-1.14.19-0.universal.x64.rpm", "300/omsconfig-1.1.1-932.universal.x64.rpm",
        "300/omi-1.6.10-2.ulinux.s.x64.deb", "300/scx-1.6.10-1.universal.s.x64.deb",
        "300/omsagent-1.14.19-0.universal.x64.deb", "300/omsconfig-1.1.1-932.universal.x64.deb",
        "oss-kits/docker-cimprov-1.0.0-1.universal.x86_64.sh", "oss-kits/docker-oss-test.sh",
    ])

    func plan(_ manager: PackageManagerKind, installed: [String: String], options: InstallOptions = InstallOptions(),
              root: HostRoot = .live, flavour: OpenSSLFlavour = .v300) throws(AgentError) -> InstallPlan {
        try InstallPlan.make(manifest: manifest, bundleDirectory: "/b", bundleVersion: "1.14.19.0",
                             facts: PlanFacts(root: root, packageManager: manager, flavour: flavour,
                                              installed: installed, dscUsable: true), options: options)
    }

    func step(_ p: InstallPlan, _ c: String) -> PlanStep? { p.steps.first { $0.component == c && $0.path == nil } }

    @Test("rpm ordering: older bundled omi refused, newer omsagent upgraded with rpm --upgrade, codes per stage")
    func rpmActions() throws {
        let p = try plan(.rpm, installed: ["omi": "1.6.10-3", "scx": "1.6.10-1", "omsagent": "1.14.9-0"])
        #expect(step(p, "omi")?.action == .refuse)
        #expect(step(p, "omi-reload")?.action == .skip)
        #expect(step(p, "scx")?.action == .skip)
        #expect(step(p, "omsagent")?.action == .upgrade)
        #expect(step(p, "omsagent")?.command == ["rpm", "--upgrade", "/b/300/omsagent-1.14.19-0.universal.x64.rpm"])
        #expect(step(p, "omsconfig")?.command == ["rpm", "-ivh", "/b/300/omsconfig-1.1.1-932.universal.x64.rpm"])
        // disk 52, omi 19, reload 19, scx 20, omsagent 17, omsconfig 18, DSC housekeeping 18, OMI restart (ignored), kit 21
        #expect(p.steps.filter { $0.path == nil }.map(\.failureCode) == [52, 19, 19, 20, 17, 18, 18, 0, 21])
        #expect(step(p, "kit:docker")?.action == .run && step(p, "kit:docker")?.stopsOnFailure == false)
        #expect(p.blocked == nil)
        let forced = try plan(.rpm, installed: ["omi": "1.6.10-3"], options: InstallOptions(force: true))
        #expect(step(forced, "omi")?.action == .downgrade)
        #expect(step(forced, "omi")?.command == ["rpm", "--upgrade", "--force", "/b/300/omi-1.6.10-2.ulinux.s.x64.rpm"])
        #expect(step(forced, "omi-reload")?.command == ["/opt/omi/bin/service_control", "reload"])
    }

    @Test("--install with only scx present is blocked with 23; --upgrade is not")
    func existingAgent() throws {
        let p = try plan(.dpkg, installed: ["scx": "1.6.10.1"], options: InstallOptions(mode: .install))
        #expect(p.blocked?.code == 23)
        #expect(try plan(.dpkg, installed: ["scx": "1.6.10.1"]).blocked == nil)
        #expect(try plan(.dpkg, installed: [:], options: InstallOptions(mode: .install)).blocked == nil)
    }

    @Test("a flavour the bundle lacks is an integrity error (80); the plan round-trips through JSON")
    func missingFlavourAndJSON() throws {
        #expect(throws: AgentError.self) { try plan(.dpkg, installed: [:], flavour: .v110) }
        do { _ = try plan(.dpkg, installed: [:], flavour: .v110) } catch { #expect(error.code == .integrity) }
        let p = try plan(.dpkg, installed: ["omi": "1.6.10.2"])
        let data = try JSONEncoder().encode(p)
        #expect(try JSONDecoder().decode(InstallPlan.self, from: data) == p)
        #expect(String(decoding: data, as: UTF8.self).contains("\"action\":\"skip\""))
    }

    @Test("dpkg's verdicts agree with dpkg --compare-versions on the installed and bundled versions")
    func dpkgOracle() async throws {
        for installed in ["1.6.10.1", "1.6.10.2", "1.6.10.3", "1.6.9.9", "1:1.0"] {
            let p = try plan(.dpkg, installed: ["omi": installed])
            let bundled = VersionDecision.normalise("omi-1.6.10-2.ulinux.s.x64")
            let lt = try await Oracle.run(["dpkg", "--compare-versions", installed, "lt", bundled]).status == 0
            let eq = try await Oracle.run(["dpkg", "--compare-versions", installed, "eq", bundled]).status == 0
            let expected: PlanStep.Action = lt ? .upgrade : eq ? .skip : .refuse
            #expect(step(p, "omi")?.action == expected, "\(installed)")
        }
    }
}
