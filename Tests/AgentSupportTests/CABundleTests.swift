import AgentSupport
import Testing
import TestSupport

@Suite struct CABundleTests {
    static let pem = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ==\n-----END CERTIFICATE-----\n"

    @Test func debianBundleWinsOverLaterPaths() throws {
        let dir = TemporaryDirectory()
        try dir.write("etc/ssl/certs/ca-certificates.crt", Self.pem)
        try dir.write("etc/pki/tls/certs/ca-bundle.crt", Self.pem)
        let found = try #require(CABundle.system(in: try HostRoot(dir.path)))
        #expect(found.hostPath == "/etc/ssl/certs/ca-certificates.crt")
        #expect(found.path == (try HostRoot(dir.path)).path + "/etc/ssl/certs/ca-certificates.crt")
    }

    @Test func rhelAbsoluteSymlinkIsFollowedInsideTheRoot() throws {
        let dir = TemporaryDirectory()
        try dir.write("etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", Self.pem)
        try dir.symlink("etc/pki/tls/certs/ca-bundle.crt", to: "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem")
        let root = try HostRoot(dir.path)
        let found = try #require(CABundle.system(in: root))
        #expect(found.hostPath == "/etc/pki/tls/certs/ca-bundle.crt")
        #expect(found.path == root.path + "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem")
    }

    @Test func emptyFilesDirectoriesAndNonPEMAreSkipped() throws {
        let dir = TemporaryDirectory()
        try dir.write("etc/ssl/certs/ca-certificates.crt", "")
        try dir.mkdir("etc/pki/tls/certs/ca-bundle.crt")
        try dir.write("etc/ssl/ca-bundle.pem", "not a certificate\n")
        try dir.symlink("etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", to: "/nowhere")
        try dir.write("etc/ssl/cert.pem", "# trailing bundle\n" + Self.pem)
        let found = try #require(CABundle.system(in: try HostRoot(dir.path)))
        #expect(found.hostPath == "/etc/ssl/cert.pem")
    }

    @Test func linkOutOfTheRootDoesNotReachTheHostBundle() throws {
        let dir = TemporaryDirectory()
        // An absolute link to the host's own bundle is re-rooted, so it points at nothing inside the tree.
        try dir.symlink("etc/ssl/certs/ca-certificates.crt", to: "/etc/ssl/certs/ca-certificates.crt")
        #expect(CABundle.system(in: try HostRoot(dir.path)) == nil)
    }

    @Test func noBundleIsASystemProblemUnlessOneIsGiven() throws {
        let dir = TemporaryDirectory()
        let root = try HostRoot(dir.path)
        #expect(CABundle.system(in: root) == nil)
        #expect(throws: AgentError.self) { try CABundle.locate(explicit: nil, in: root) }
        do {
            _ = try CABundle.locate(explicit: nil, in: root)
        } catch {
            #expect(error.code == .systemProblem)
        }
        try dir.write("mine.pem", Self.pem)
        let given = try CABundle.locate(explicit: dir.url("mine.pem"), in: root)
        #expect(given.path == dir.url("mine.pem"))
    }

    @Test func explicitFileMustExistAndHoldACertificate() throws {
        let dir = TemporaryDirectory()
        try dir.write("etc/ssl/certs/ca-certificates.crt", Self.pem)
        try dir.write("junk.pem", "junk\n")
        let root = try HostRoot(dir.path)
        for bad in [dir.url("missing.pem"), dir.url("junk.pem"), dir.path] {
            do {
                _ = try CABundle.locate(explicit: bad, in: root)
                Issue.record("accepted \(bad)")
            } catch {
                #expect(error.code == .usage)
                #expect(error.message.contains(bad))
            }
        }
        // Without --cacert the system bundle under the root is used.
        #expect(try CABundle.locate(explicit: nil, in: root).hostPath == "/etc/ssl/certs/ca-certificates.crt")
    }
}
