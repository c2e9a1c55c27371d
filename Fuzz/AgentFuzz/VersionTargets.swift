import AgentInstaller

/// Both version orderings: parsing never crashes, and `compare` is a total order on what parses (reflexive,
/// antisymmetric, transitive; rpm's returns only -1, 0 or 1, dpkg's any sign as `verrevcmp`). The input holds up
/// to three versions, one a line.
enum VersionTargets {
    static func debian(_ bytes: [UInt8]) {
        let texts = parts(bytes, 3)
        let versions = texts.compactMap { try? DebianVersion($0, allowingBadSyntax: true) }
        _ = texts.map { try? DebianVersion($0) }
        checkOrder(versions, DebianVersion.compare, "dpkg", unitResults: false)
        // dpkg compares C strings, so a NUL byte reads as the end (and versions refuse it): not part of the domain.
        checkOrder(texts.filter { !$0.utf8.contains(0) }, DebianVersion.compareFragments, "dpkg fragment",
                   unitResults: false)
    }

    static func rpm(_ bytes: [UInt8]) {
        let texts = parts(bytes, 3)
        let versions = texts.compactMap { try? RPMVersion($0) }
        checkOrder(versions, RPMVersion.compare, "rpm", unitResults: true)
        checkOrder(texts, RPMVersion.compareSegments, "rpm segment", unitResults: true)
    }

    static func checkOrder<T>(_ values: [T], _ raw: (T, T) -> Int, _ what: String, unitResults: Bool) {
        func compare(_ a: T, _ b: T) -> Int {
            let result = raw(a, b)
            require(!unitResults || [-1, 0, 1].contains(result), "\(what) compare returned \(result)")
            return result.signum()
        }
        for a in values {
            require(compare(a, a) == 0, "\(what) compare(a, a) != 0 for \(a)")
            for b in values {
                let ab = compare(a, b)
                require(ab == -compare(b, a), "\(what) compare not antisymmetric for \(a) / \(b)")
                for c in values where ab <= 0 && compare(b, c) <= 0 {
                    require(compare(a, c) <= 0, "\(what) compare not transitive for \(a) <= \(b) <= \(c)")
                }
            }
        }
    }
}
