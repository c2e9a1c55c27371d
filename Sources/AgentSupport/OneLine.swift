/// Untrusted text (a package's version, an archive member's name, a process's command line) made safe for a
/// one-line message: control characters (C0, DEL) escaped as `\xNN`, everything else kept.
public enum OneLine {
    public static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\x" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16, uppercase: false)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
