/// How an operation retries a transient failure (contract §8.2: up to 10 attempts 30 s apart while the package
/// manager is locked; §8.3: up to 5 onboarding attempts 30 s apart on rc 5, 6 and 8), always within the operation's
/// deadline: an attempt starts only when `reserve` (the time one attempt may need) is still left.
public struct RetryPolicy: Sendable, Equatable {
    /// The most attempts, the first included.
    public var attempts: Int
    /// The pause between attempts (for the package lock: the longest wait for the lock within one attempt).
    public var interval: Duration
    /// Time one attempt needs after its wait; no attempt starts with less than this left before the deadline.
    public var reserve: Duration

    /// A policy; `attempts` below 1 counts as 1.
    public init(attempts: Int, interval: Duration, reserve: Duration) {
        self.attempts = max(1, attempts)
        self.interval = interval
        self.reserve = reserve
    }

    /// The contract's install policy: 10 attempts, 30 s apart, 60 s kept for the package run.
    public static let install = RetryPolicy(attempts: 10, interval: .seconds(30), reserve: .seconds(60))
    /// The contract's enable policy: 5 attempts, 30 s apart, 30 s kept for one onboarding request.
    public static let enable = RetryPolicy(attempts: 5, interval: .seconds(30), reserve: .seconds(30))

    /// The time left until `deadline` minus `reserve`, never negative: what a wait may use now.
    public func usable(until deadline: ContinuousClock.Instant, now: ContinuousClock.Instant = .now) -> Duration {
        let left = now.duration(to: deadline) - reserve
        return left > .zero ? left : .zero
    }

    /// True when attempt `next` (1-based) is allowed and a pause of `interval` still leaves `reserve` before
    /// `deadline`.
    public func allows(attempt next: Int, pausing pause: Duration, until deadline: ContinuousClock.Instant) -> Bool {
        let left = usable(until: deadline)
        return next <= attempts && left > .zero && left >= pause
    }
}
