extension Duration {
    /// Whole milliseconds (truncated toward zero, the seconds clamped to `Int`): curl's `_MS` options, receipt
    /// phases.
    public var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(clamping: seconds) &* 1000 &+ Int(attoseconds / 1_000_000_000_000_000)
    }
}
