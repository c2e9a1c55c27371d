// Generated from data/support-matrix.json (a test asserts they are identical). Edit both together.
extension SupportMatrix {
    /// The text of `data/support-matrix.json`.
    public static let defaultJSON = #"""
{
  "schemaVersion": 1,
  "architectures": ["x86_64"],
  "distributions": [
    {"name": "Red Hat Enterprise Linux", "prefixes": ["redhat", "red hat", "rhel"], "versions": ["6", "7", "8", "9"], "extensionVersions": ["7", "8", "9"]},
    {"name": "CentOS", "prefixes": ["centos"], "versions": ["6", "7", "8"], "extensionVersions": ["7", "8"]},
    {"name": "Oracle Linux", "prefixes": ["oracle", "ol"], "versions": ["6", "7", "8"], "extensionVersions": ["7", "8"]},
    {"name": "Debian", "prefixes": ["debian"], "versions": ["8", "9", "10", "11", "12"], "extensionVersions": ["8", "9", "10", "11"]},
    {"name": "Ubuntu", "prefixes": ["ubuntu"], "versions": ["14.04", "16.04", "18.04", "20.04", "22.04"], "extensionVersions": ["14.04", "16.04", "18.04", "20.04", "22.04"]},
    {"name": "SUSE Linux Enterprise Server", "prefixes": ["suse", "sles"], "versions": ["12", "15"], "extensionVersions": ["12", "15"]},
    {"name": "openSUSE Leap", "prefixes": ["opensuse"], "versions": ["15"], "extensionVersions": ["15"]},
    {"name": "Rocky Linux", "prefixes": ["rocky"], "versions": ["8", "9"], "extensionVersions": ["8", "9"]},
    {"name": "AlmaLinux", "prefixes": ["alma"], "versions": ["8", "9"], "extensionVersions": ["8", "9"]},
    {"name": "Amazon Linux", "prefixes": ["amzn"], "versions": ["2017.09", "2"], "extensionVersions": ["2"]}
  ]
}
"""#
}
