#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import AgentSupport
import FoundationEssentials

/// The agent's GUID, key and certificate for one onboarding (contract §10.3, §10.4): reused from a workspace that
/// has `oms.key`, `oms.crt` and a non-empty `omsadmin.conf`, else freshly generated into a private staging
/// directory (0700 in /tmp, files 0600) that is deleted when the identity is released. New material reaches
/// `ETC/<ws>/certs` only after a 200.
public final class AgentIdentity: @unchecked Sendable {
    public let guid: AgentGUID
    /// True when the existing pair is kept byte for byte.
    public let reused: Bool
    /// Real paths for the TLS client (existing files, or the staged copies).
    public let certificatePath: String
    public let keyPath: String
    /// The certificate PEM Base64 lines for `AuthenticationCertificate`.
    public let certificateBody: String
    /// New material to install after success; nil when reused.
    public let newMaterial: WorkspaceConfigurator.Identity?
    private let stagingDirectory: String?

    deinit { if let stagingDirectory { try? FileIO.removeTree(stagingDirectory) } }

    private init(guid: AgentGUID, reused: Bool, certificatePath: String, keyPath: String, certificateBody: String,
                 newMaterial: WorkspaceConfigurator.Identity?, stagingDirectory: String?) {
        self.guid = guid
        self.reused = reused
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.certificateBody = certificateBody
        self.newMaterial = newMaterial
        self.stagingDirectory = stagingDirectory
    }

    /// Reuses or generates the identity for workspace directory `ws` (its real name under `ETC`).
    public static func prepare(root: HostRoot, workspace ws: AgentPaths.Workspace, workspaceID: String)
        throws(AgentError) -> AgentIdentity
    {
        if let conf = root.readText(ws.omsadminConf), !conf.allSatisfy(\.isWhitespace),
           root.isRegularFile(ws.key), root.isRegularFile(ws.cert),
           let guidText = OmsAdminConf.agentGUID(in: conf), let guid = AgentGUID(guidText),
           let certPath = root.resolve(ws.cert), let keyPath = root.resolve(ws.key),
           let pem = FileIO.read(certPath) {
            let cert = try X509Certificate(pem: pem, what: "\(ws.cert)", code: .internalError)
            return AgentIdentity(guid: guid, reused: true, certificatePath: certPath, keyPath: keyPath,
                                 certificateBody: cert.pemBody, newMaterial: nil, stagingDirectory: nil)
        }
        let guid = AgentGUID(try SecureRandom.uuidV4().lowercased()) ?? AgentGUID.random()
        let key = try RSAPrivateKey.generate(bits: 2048)
        let now = Date()
        let serial = try SecureRandom.integer(in: 1...65534)
        let subject = [NameAttribute("CN", workspaceID), NameAttribute("CN", guid.value),
                       NameAttribute("OU", "Linux Monitoring Agent"), NameAttribute("O", "Microsoft")]
        let cert = try X509Certificate.selfSigned(subject: subject, serial: serial, notBefore: now,
                                                  notAfter: now.addingTimeInterval(365 * 86400), key: key)
        let keyPEM = try key.pkcs1PEM().withBytes { $0 }
        let certPEM = Array(cert.pem.utf8)
        // Named after this process: a later run removes it if this one is killed before it can (it holds a key).
        let dir: String
        do {
            dir = try StaleTemporaries.makeDirectory(prefix: "agent-installer-onboard")
        } catch {
            throw AgentError(.certificateGeneration, "cannot create a staging directory: \(error.message)")
        }
        do {
            try AtomicFile.write(dir + "/oms.key", keyPEM, mode: 0o600)
            try AtomicFile.write(dir + "/oms.crt", certPEM, mode: 0o600)
        } catch {
            try? FileIO.removeTree(dir)
            throw AgentError(.certificateGeneration, "cannot stage the key and certificate: \(error.message)")
        }
        return AgentIdentity(guid: guid, reused: false, certificatePath: dir + "/oms.crt", keyPath: dir + "/oms.key",
                             certificateBody: cert.pemBody,
                             newMaterial: .init(keyPEM: keyPEM, certificatePEM: certPEM), stagingDirectory: dir)
    }
}
