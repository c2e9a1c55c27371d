import AgentSupport

extension HostFacts {
    /// Live host only: asks the host's own commands for what its files did not tell, concurrently
    /// (`openssl version`, `curl --version`, `<python> -c "import ctypes"`). Nothing runs when files sufficed.
    mutating func probeLiveHost(runner: ProcessRunner) async {
        let opensslPath = openssl == nil ? root.which("openssl") : nil
        let curlPath = curlVersion == nil ? curl.path : nil
        let pythonPath = python.ctypes == true ? nil : python.chosenPath
        async let opensslOut = Self.firstLine(opensslPath.map { [$0, "version"] }, runner)
        async let curlOut = Self.firstLine(curlPath.map { [$0, "--version"] }, runner)
        async let ctypesOut = Self.status(pythonPath.map { [$0, "-c", "import ctypes"] }, runner)
        let (o, c, p) = await (opensslOut, curlOut, ctypesOut)
        if let o, let v = Self.secondField(o) {
            // `OpenSSL 3.0.11 19 Sep 2023`: the CLI version decides only when no library evidence was found.
            if opensslFlavour == nil && opensslSoname == nil {
                chooseFlavour(sonames: [], versions: [v])
            } else if openssl == nil {
                openssl = v
            }
        }
        if let c, let v = Self.secondField(c) { curlVersion = v }
        if let p { python.ctypes = p == 0 }
    }

    static func secondField(_ line: String) -> String? {
        let f = line.split(separator: " ")
        return f.count >= 2 ? String(f[1]) : nil
    }

    static func firstLine(_ argv: [String]?, _ runner: ProcessRunner) async -> String? {
        guard let argv, let out = try? await runner.run(argv, timeout: .seconds(10)), out.succeeded else { return nil }
        return out.standardOutput.split(separator: "\n").first.map(String.init)
    }

    static func status(_ argv: [String]?, _ runner: ProcessRunner) async -> Int32? {
        guard let argv, let out = try? await runner.run(argv, timeout: .seconds(10)) else { return nil }
        return out.timedOut ? nil : out.status
    }
}
