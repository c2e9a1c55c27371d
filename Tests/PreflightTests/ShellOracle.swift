import AgentSupport
import TestSupport

enum FileIOText {
    static func read(_ path: String) -> String? { FileIO.read(path).map { String(decoding: $0, as: UTF8.self) } }
}

/// Reads assignment files with a real shell as an independent oracle.
enum TestSupportShell {
    static func values(of file: String, keys: [String]) async throws -> [String: String] {
        var script = ". \"$1\"; "
        for k in keys { script += "printf '%s=%s\\n' \(k) \"${\(k):-}\"; " }
        let out = try await Oracle.output(["/bin/sh", "-c", script, "sh", file])
        var values: [String: String] = [:]
        for line in out.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            let v = String(line[line.index(after: eq)...])
            if !v.isEmpty { values[String(line[..<eq])] = v }
        }
        return values
    }
}
