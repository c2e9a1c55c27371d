#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The `x-ms-Date` value: `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn±hh:mm`, nine fraction digits, local time and offset like
/// upstream onboarding (contract §10.5). The exact string is what gets signed and sent.
public struct RequestDate: Sendable, Equatable, CustomStringConvertible {
    public let text: String
    /// Seconds since the epoch (UTC) of this date.
    public let epochSeconds: Int

    /// Formats an instant given as epoch seconds and nanoseconds with a UTC offset in seconds.
    public init(epochSeconds: Int, nanoseconds: Int, utcOffsetSeconds: Int) {
        var t = time_t(epochSeconds + utcOffsetSeconds)
        var tm = tm()
        gmtime_r(&t, &tm)
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        let sign = utcOffsetSeconds < 0 ? "-" : "+"
        let off = abs(utcOffsetSeconds) / 60
        text = "\(pad(Int(tm.tm_year) + 1900, 4))-\(pad(Int(tm.tm_mon) + 1, 2))-\(pad(Int(tm.tm_mday), 2))T"
            + "\(pad(Int(tm.tm_hour), 2)):\(pad(Int(tm.tm_min), 2)):\(pad(Int(tm.tm_sec), 2))."
            + "\(pad(nanoseconds, 9))\(sign)\(pad(off / 60, 2)):\(pad(off % 60, 2))"
        self.epochSeconds = epochSeconds
    }

    /// Now, in the process's local time zone.
    public static func now() -> RequestDate {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = ts.tv_sec
        var local = tm()
        localtime_r(&t, &local)
        return RequestDate(epochSeconds: Int(ts.tv_sec), nanoseconds: Int(ts.tv_nsec), utcOffsetSeconds: Int(local.tm_gmtoff))
    }

    public var description: String { text }

    /// Parses an HTTP `Date` header (IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`) to epoch seconds.
    public static func parseHTTPDate(_ s: String) -> Int? {
        let f = s.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard f.count == 6, f[5] == "GMT", let day = Int(f[1]), let mon = months.firstIndex(of: String(f[2])),
              let year = Int(f[3]) else { return nil }
        let hms = f[4].split(separator: ":").compactMap { Int($0) }
        guard hms.count == 3 else { return nil }
        var tm = tm()
        tm.tm_year = Int32(year - 1900)
        tm.tm_mon = Int32(mon)
        tm.tm_mday = Int32(day)
        tm.tm_hour = Int32(hms[0])
        tm.tm_min = Int32(hms[1])
        tm.tm_sec = Int32(hms[2])
        return Int(timegm(&tm))
    }
}
