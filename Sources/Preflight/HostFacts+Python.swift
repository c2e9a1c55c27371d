import AgentSupport

extension HostFacts {
    /// Finds python2 and python3 on the tree's PATH (symlinks followed inside the tree), their versions (package
    /// database, else the executable's resolved name), what `python` runs, and `ctypes` from its files.
    mutating func readPython() {
        var p = Python()
        let py2 = root.which("python2") ?? root.which("python2.7")
        let py3 = root.which("python3")
        if let py2 { p.python2 = pythonVersion(path: py2, major: 2) }
        if let py3 { p.python3 = pythonVersion(path: py3, major: 3) }
        if let py = root.which("python"), let resolved = root.resolvedHostPath(py) {
            let base = resolved.split(separator: "/").last.map(String.init) ?? ""
            if base.hasPrefix("python2") { p.alias = "python2" }
            else if base.hasPrefix("python3") { p.alias = "python3" }
            else if let v = packages?.entry("python")?.version { p.alias = "python" + String(v.prefix(1)) }
        }
        p.chosenPath = py2 ?? py3
        if let version = p.python2 ?? p.python3 { p.ctypes = ctypesFiles(version: version) }
        python = p
    }

    /// `2.7.18` from the package database, else `3.11` from the executable's resolved name, else the major.
    func pythonVersion(path: String, major: Int) -> String {
        let resolved = root.resolvedHostPath(path) ?? path
        let base = resolved.split(separator: "/").last.map(String.init) ?? ""
        let fromName = base.hasPrefix("python\(major).") ? String(base.dropFirst(6)) : nil
        let candidates = (fromName.map { ["python\($0)", "python\($0)-minimal"] } ?? [])
            + ["python\(major)", "python\(major)-minimal", major == 2 ? "python" : "python3-base"]
        if let v = packages?.first(candidates)?.version, v.hasPrefix("\(major).") {
            if let fromName, !v.hasPrefix(fromName) { return fromName }
            return v
        }
        return fromName ?? "\(major)"
    }

    /// Whether `pythonX.Y`'s `ctypes` package and `_ctypes` extension are installed; nil when X.Y is unknown.
    func ctypesFiles(version: String) -> Bool? {
        guard let xy = Self.majorMinor(version) else { return nil }
        for lib in ["/usr/lib64", "/usr/lib", "/usr/local/lib"] {
            let base = "\(lib)/python\(xy)"
            guard root.exists(base + "/ctypes/__init__.py") else { continue }
            if root.list(base + "/lib-dynload").contains(where: { $0.hasPrefix("_ctypes.") || $0 == "_ctypes.so" })
                || root.list("/usr/lib64/python\(xy)/lib-dynload").contains(where: { $0.hasPrefix("_ctypes.") }) {
                return true
            }
        }
        return false
    }
}
