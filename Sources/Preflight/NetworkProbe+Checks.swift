import AgentSupport

extension NetworkProbe {
    /// Largest clock skew the service tolerates: beyond it onboarding fails with 403.
    public static let clockTolerance = 15 * 60

    /// The `network` check: skipped without results, failing (55) when any endpoint fails; the summary names
    /// each endpoint's outcome (and the proxy, without its password), the remedy is the first failure's.
    static func check(_ results: [Result]?, proxy: HTTPProxy? = nil) -> Check {
        let required = "service reachable over HTTPS on 443"
        guard let results, !results.isEmpty else {
            return Check("network", .skip, found: "not checked (needs the live host, -w, and no --no-network)",
                         required: required)
        }
        let via = proxy.map { " via proxy \($0.description)" } ?? ""
        let found = results.map { r in
            let what = r.outcome == .ok ? "ok" + (r.status.map { " (HTTP \($0))" } ?? "") : r.outcome.rawValue
            return "\(r.host):\(r.port) \(what)"
        }.joined(separator: ", ") + via
        guard let bad = results.first(where: { $0.outcome != .ok }) else {
            return Check("network", .pass, found: found, required: required)
        }
        let reason = bad.detail.map { "\(found): \($0)" } ?? found
        let remedy = bad.outcome.remedy(proxy: proxy) ?? ""
        return Check("network", .fail, found: reason, required: required, remedy: remedy,
                     failCode: .dependencyUnusable)
    }

    /// The `clock` check: the largest measured skew against the services' `Date`; over 15 minutes warns (the
    /// classic cause of a 403 at onboarding). Skipped when nothing was measured.
    static func clockCheck(_ results: [Result]?) -> Check {
        let required = "within 15 minutes of the service"
        guard let skew = results?.compactMap(\.clockSkewSeconds).max(by: { abs($0) < abs($1) }) else {
            let why = results?.isEmpty == false ? "not measured (no answer from the service)" : "not measured"
            return Check("clock", .skip, found: why, required: required)
        }
        let ok = abs(skew) <= clockTolerance
        let found = skew == 0 ? "the local clock agrees with the service"
            : "the local clock is \(abs(skew)) s \(skew > 0 ? "ahead of" : "behind") the service"
        return Check("clock", ok ? .pass : .warn, found: found, required: required,
                     remedy: "synchronise the clock (chrony/ntp): a skew over 15 minutes makes onboarding fail with 403")
    }
}
