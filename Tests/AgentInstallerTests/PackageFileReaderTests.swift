import AgentInstaller
import AgentSupport
import Preflight
import Testing
import TestSupport

/// The in-process package readers the plan's disk check uses instead of a child per package (`PackageSizes`): the
/// `.deb` control file (ar + control.tar) and the rpm header's installed size. Oracles: `dpkg-deb --field` and
/// `rpm -qp --qf %{SIZE}`.
@Suite struct PackageFileReaderTests {
    /// Builds `count` .deb files with dpkg-deb (control.tar compressed by `compression` in turn), plus for each a copy
    /// rebuilt with binutils `ar` (GNU member names `debian-binary/`, and a `_extra` member dpkg skips), and prints
    /// `file<TAB>dpkg-deb --field Installed-Size` for every file.
    static let buildDebs = #"""
        set -e
        dir=$1 count=$2; shift 2
        i=0
        while [ "$i" -lt "$count" ]; do
          for c in "$@"; do
            p="$dir/src-$i-$c"; mkdir -p "$p/DEBIAN" "$p/usr/share/t$i"
            head -c $(( (i * 7919) % 20000 )) /dev/zero > "$p/usr/share/t$i/f"
            {
              echo "Package: t$i"
              [ $((i % 3)) = 0 ] && echo "Description: first line"$'\n'" Installed-Size: 1"
              echo "Version: 1.$i-$c"
              echo "Architecture: all"
              echo "Maintainer: Tests <t@example.invalid>"
              [ $((i % 5)) = 4 ] || echo "Installed-Size: $(( (i * 104729) % 9000000 ))"
              [ $((i % 3)) = 0 ] || echo "Description: t$i"
            } > "$p/DEBIAN/control"
            dpkg-deb --root-owner-group -Z"$c" -b "$p" "$dir/t$i-$c.deb" >/dev/null
            mkdir "$p.ar"; (cd "$p.ar" && ar x "$dir/t$i-$c.deb" && echo extra > _extra &&
              ar rc "$dir/t$i-$c-gnu.deb" debian-binary _extra control.tar* data.tar*)
          done
          i=$((i + 1))
        done
        for f in "$dir"/*.deb; do printf '%s\t%s\n' "$f" "$(dpkg-deb --field "$f" Installed-Size)"; done
        """#

    static func debs(_ dir: TemporaryDirectory, count: Int, compressions: [String]) async throws -> [(String, Int64?)] {
        let out = try await Oracle.output(["bash", "-c", buildDebs, "bash", dir.path, "\(count)"] + compressions)
        return out.split(separator: "\n").map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            return (String(f[0]), f.count > 1 ? Int64(f[1]) : nil)
        }
    }

    /// `Installed-Size` in KiB of a control file read in process, as the plan parses it.
    static func installedSize(_ control: DebianPackageFile.Control) -> Int64?? {
        guard case .control(let bytes) = control else { return nil }
        return .some(DpkgStatus(bytes: bytes).packages.first?.installedSizeKiB.map(Int64.init))
    }

    @Test("gzip and plain control.tar: the control file read in process states dpkg-deb's Installed-Size, for dpkg-deb's and GNU ar's layouts")
    func debianAgreesWithDpkgDeb() async throws {
        let dir = TemporaryDirectory()
        let debs = try await Self.debs(dir, count: 12, compressions: ["gzip", "none"])
        #expect(debs.count == 48)
        var withSize = 0
        for (file, expected) in debs {
            let control = try DebianPackageFile.control(path: file)
            let got = try #require(Self.installedSize(control), "\(file): \(control)")
            #expect(got == expected, "\(file)")
            if expected != nil { withSize += 1 }
            // The same bytes from memory give the same answer; the disk check's figure is that in bytes.
            #expect(try DebianPackageFile.control(bytes: try #require(FileIO.read(file))) == control)
            #expect(await PackageSizes.installedSize(of: file, manager: .dpkg) == expected.map { $0 * 1024 })
        }
        #expect(withSize > 30)
    }

    @Test("xz and zstd control.tar are left to dpkg-deb (named), never guessed")
    func debianOtherCompressions() async throws {
        let dir = TemporaryDirectory()
        let debs = try await Self.debs(dir, count: 1, compressions: ["xz", "zstd"])
        #expect(debs.count == 4)
        for (file, size) in debs {
            let expected = file.contains("-xz") ? "control.tar.xz" : "control.tar.zst"
            #expect(try DebianPackageFile.control(path: file) == .unsupported(expected), "\(file)")
            // The disk check still gets dpkg-deb's figure, from dpkg-deb itself.
            #expect(await PackageSizes.installedSize(of: file, manager: .dpkg) == size.map { $0 * 1024 }, "\(file)")
        }
    }

    @Test("every truncation of a package before its control member ends is refused as .integrity, naming the file")
    func debianTruncated() async throws {
        let dir = TemporaryDirectory()
        let debs = try await Self.debs(dir, count: 1, compressions: ["gzip"])
        let (file, _) = try #require(debs.first { !$0.0.contains("gnu") })
        let bytes = try #require(FileIO.read(file))
        // Where control.tar.gz ends: debian-binary (60 + 4), then the control member's header and data.
        let controlSize = Int(String(decoding: bytes[(8 + 64 + 48)..<(8 + 64 + 58)].filter { $0 != 0x20 }, as: UTF8.self)) ?? 0
        let controlEnd = 8 + 64 + 60 + controlSize
        #expect(controlSize > 0)
        for length in 0..<controlEnd {
            do {
                let got = try DebianPackageFile.control(bytes: Array(bytes[0..<length]))
                Issue.record("a \(length)-byte prefix was read: \(got)")
            } catch {
                #expect(error.code == .integrity, "\(length): \(error)")
            }
        }
        #expect(try Self.installedSize(DebianPackageFile.control(bytes: Array(bytes[0..<controlEnd]))) != nil)
        try dir.write("cut.deb", bytes: Array(bytes[0..<(controlEnd - 1)]))
        do {
            _ = try DebianPackageFile.control(path: dir.url("cut.deb"))
            Issue.record("a truncated package was read")
        } catch {
            #expect(error.code == .integrity && error.message.hasPrefix(dir.url("cut.deb") + " is not a Debian package: "),
                    "\(error.message)")
            #expect(!error.message.contains("\n"))
        }
        #expect(throws: AgentError.self) { try DebianPackageFile.control(path: dir.url("absent.deb")) }
    }

    @Test("a package whose members are out of order, or whose control is no regular file, is refused")
    func debianMalformed() async throws {
        let dir = TemporaryDirectory()
        let script = #"""
            set -e
            cd "$1"; mkdir -p p/DEBIAN; printf 'Package: t\nVersion: 1\nArchitecture: all\nMaintainer: a <a@b.c>\nDescription: t\nInstalled-Size: 7\n' > p/DEBIAN/control
            dpkg-deb -Zgzip -b p ok.deb >/dev/null; mkdir m; cd m; ar x ../ok.deb
            ar rc ../swapped.deb control.tar.gz debian-binary data.tar.gz
            ar rc ../foreign.deb debian-binary data.tar.gz control.tar.gz
            echo 3.0 > debian-binary; ar rc ../v3.deb debian-binary control.tar.gz data.tar.gz; echo 2.0 > debian-binary
            mkdir c; ln -s /etc/passwd c/control; tar -czf control.tar.gz -C c ./control; ar rc ../link.deb debian-binary control.tar.gz data.tar.gz
            for f in swapped foreign v3 link; do dpkg-deb --field ../$f.deb Installed-Size >/dev/null 2>&1 && echo "$f accepted by dpkg-deb"; done; true
            """#
        let accepted = try await Oracle.output(["bash", "-c", script, "bash", dir.path])
        #expect(accepted.isEmpty, "dpkg-deb reads these, so must we: \(accepted)")
        #expect(try Self.installedSize(DebianPackageFile.control(path: dir.url("ok.deb"))) == .some(7))
        for name in ["swapped", "foreign", "v3", "link"] {
            do {
                let got = try DebianPackageFile.control(path: dir.url("\(name).deb"))
                Issue.record("\(name).deb was read: \(got)")
            } catch {
                #expect(error.code == .integrity, "\(name): \(error)")
            }
        }
    }

    /// Builds rpm packages with rpmbuild holding files of the given sizes and prints `file<TAB>rpm -qp %{SIZE}`.
    static let buildRPMs = #"""
        set -e
        dir=$1; shift
        for n in "$@"; do
          top="$dir/top-$n"; mkdir -p "$top/SPECS"
          cat > "$top/SPECS/t.spec" <<EOF
        %define _build_id_links none
        %define debug_package %{nil}
        %define __os_install_post %{nil}
        Name: t$n
        Version: 1
        Release: 1
        Summary: t
        License: MIT
        BuildArch: noarch
        AutoReqProv: no
        %description
        t
        %install
        mkdir -p %{buildroot}/opt/t$n
        head -c $n /dev/zero > %{buildroot}/opt/t$n/f
        %files
        /opt/t$n/f
        EOF
          rpmbuild --quiet -bb --define "_topdir $top" --define "_rpmdir $dir" --define "_build_name_fmt t$n.rpm" "$top/SPECS/t.spec" >/dev/null 2>&1
          printf '%s\t%s\n' "$dir/t$n.rpm" "$(rpm -qp --nosignature --nodigest --qf '%{SIZE}' "$dir/t$n.rpm")"
        done
        """#

    @Test("rpm: the header's installed size is rpm -qp's %{SIZE}; every truncated header is refused as .integrity")
    func rpmAgreesWithRpm() async throws {
        let dir = TemporaryDirectory()
        let out = try await Oracle.output(["bash", "-c", Self.buildRPMs, "bash", dir.path, "0", "1", "4097", "1048577"])
        let rpms = out.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        #expect(rpms.count == 4)
        for r in rpms {
            #expect(try RPMPackageHeader.installedSize(path: r[0]) == Int64(r[1]), "\(r)")
            #expect(await PackageSizes.installedSize(of: r[0], manager: .rpm) == Int64(r[1]), "\(r)")
        }
        let bytes = try #require(FileIO.read(rpms[2][0]))
        let size = try RPMPackageHeader.installedSize(bytes: bytes)
        // The shortest prefix that still answers is the end of the main header's index and data; every shorter one throws.
        var shortest = bytes.count
        for length in stride(from: bytes.count, through: 0, by: -1) {
            guard let got = try? RPMPackageHeader.installedSize(bytes: Array(bytes[0..<length])) else { break }
            #expect(got == size)
            shortest = length
        }
        #expect(shortest > 96 + 16)
        for length in 0..<shortest {
            do {
                _ = try RPMPackageHeader.installedSize(bytes: Array(bytes[0..<length]))
                Issue.record("a \(length)-byte prefix was read")
            } catch {
                #expect(error.code == .integrity, "\(length): \(error)")
            }
        }
        try dir.write("deb.rpm", bytes: Array("!<arch>\n".utf8))
        do {
            _ = try RPMPackageHeader.installedSize(path: dir.url("deb.rpm"))
            Issue.record("an ar archive was read as rpm")
        } catch {
            #expect(error.code == .integrity && error.message == dir.url("deb.rpm") + " is not an rpm package: no rpm lead")
        }
    }
}
