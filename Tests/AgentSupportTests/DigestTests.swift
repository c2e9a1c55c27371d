import AgentSupport
import Testing
import TestSupport

/// Digest, MAC, encoding and random-value tests against RFC vectors, `openssl` and Python's standard library.
@Suite struct DigestTests {
    // RFC 4231 §4: (key hex, data hex, HMAC-SHA-256 hex); case 5 (truncated output) is not applicable.
    static let rfc4231: [(key: String, data: String, mac: String)] = [
        (String(repeating: "0b", count: 20), "4869205468657265",
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        ("4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (String(repeating: "aa", count: 20), String(repeating: "dd", count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        ("0102030405060708090a0b0c0d0e0f10111213141516171819", String(repeating: "cd", count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        (String(repeating: "aa", count: 131),
         Hex.encode(Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        (String(repeating: "aa", count: 131),
         Hex.encode(Array(("This is a test using a larger than block-size key and a larger than block-size data. "
                           + "The key needs to be hashed before being used by the HMAC algorithm.").utf8)),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test(arguments: 0..<6) func hmacMatchesRFC4231(_ index: Int) throws {
        let vector = Self.rfc4231[index]
        let key = try #require(Hex.decode(vector.key))
        let data = try #require(Hex.decode(vector.data))
        #expect(Hex.encode(HMACSHA256.authenticationCode(key: key, message: data)) == vector.mac)
    }

    @Test func hmacOfRandomInputsMatchesOpenSSLAndPython() async throws {
        for (keyLength, messageLength) in [(0, 0), (1, 17), (64, 200), (65, 1000), (88, 4096)] {
            let key = try SecureRandom.bytes(keyLength)
            let message = try SecureRandom.bytes(messageLength)
            let ours = Hex.encode(HMACSHA256.authenticationCode(key: key, message: message))
            let python = try await Oracle.output(
                ["python3", "-c", "import hmac,hashlib,sys; print(hmac.new(bytes.fromhex(sys.argv[1]), sys.stdin.buffer.read(), hashlib.sha256).hexdigest())",
                 Hex.encode(key)], input: message)
            #expect(ours == python.trimmingSpaces)
            if keyLength > 0 {
                let openssl = try await Oracle.output(
                    ["openssl", "dgst", "-sha256", "-mac", "HMAC", "-macopt", "hexkey:\(Hex.encode(key))", "-r"],
                    input: message)
                #expect(ours == String(openssl.split(separator: " ")[0]))
            }
        }
    }

    @Test func hmacWithSecretKeyEqualsHmacWithBytes() throws {
        let key = try SecureRandom.bytes(64)
        let message = Array("2026-01-01T00:00:00.000000000+00:00\nabc=\n".utf8)
        #expect(HMACSHA256.authenticationCode(key: Secret(bytes: key), message: message)
                == HMACSHA256.authenticationCode(key: key, message: message))
    }

    @Test func streamingSHA256MatchesSha256sumAndHashlib() async throws {
        for length in [0, 1, 55, 56, 64, 1000, 300_001] {
            let data = try SecureRandom.bytes(length)
            var hash = SHA256()
            var offset = 0
            var step = 1
            while offset < data.count {
                let end = min(offset + step, data.count)
                hash.update(data[offset..<end])
                offset = end
                step = step * 3 + 1
            }
            let streamed = Hex.encode(hash.finalize())
            let sum = try await Oracle.output(["sha256sum"], input: data)
            #expect(streamed == String(sum.prefix(64)))
            let python = try await Oracle.output(
                ["python3", "-c", "import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())"],
                input: data)
            #expect(SHA256.hexDigest(data) == python.trimmingSpaces)
        }
    }

    @Test func sha256CopiesAreIndependentAndFinalizeStartsOver() {
        var a = SHA256()
        a.update("abc")
        var b = a
        b.update("def")
        #expect(Hex.encode(a.finalize()) == SHA256.hexDigest(Array("abc".utf8)))
        #expect(Hex.encode(b.finalize()) == SHA256.hexDigest(Array("abcdef".utf8)))
        #expect(a.finalize() == SHA256.hash([UInt8]()))
    }

    @Test func sha1MatchesOpenSSL() async throws {
        let data = try SecureRandom.bytes(1234)
        let openssl = try await Oracle.output(["openssl", "dgst", "-sha1", "-r"], input: data)
        #expect(Hex.encode(SHA1.hash(data)) == String(openssl.prefix(40)))
    }

    @Test func base64EncodeMatchesPythonAndStrictDecodeRoundTrips() async throws {
        for length in [0, 1, 2, 3, 4, 5, 63, 64, 65, 1000] {
            let data = try SecureRandom.bytes(length)
            let ours = Base64.encode(data)
            let python = try await Oracle.output(
                ["python3", "-c", "import base64,sys; sys.stdout.write(base64.b64encode(sys.stdin.buffer.read()).decode())"],
                input: data)
            #expect(ours == python)
            #expect(!ours.contains("\n"))
            if length > 0 { #expect(try Base64.decodeStrict(ours) == data) }
            #expect(try Base64.decodeLenient(ours) == data)
        }
    }

    @Test func strictDecodeRefusesNonCanonicalInputWithCode3() async throws {
        // Cases python's strict validator (`b64decode(validate=True)` + re-encode) also refuses.
        let bad = ["abd=", "ab==x", "abc", "ab=c", "a===", " YWJj", "YWJj\n", "YW Jj", "YW=j", "YWJ*", "====", "", "YQ=", "YR=="]
        for text in bad {
            do {
                _ = try Base64.decodeStrict(text, what: "workspace key")
                Issue.record("accepted \(text.debugDescription)")
            } catch {
                #expect(error.code == .missingModeOrInvalidID)
                #expect(error.message.hasPrefix("workspace key"))
                #expect(!error.message.contains(text) || text.isEmpty)
            }
            let python = try await Oracle.run(
                ["python3", "-c", "import base64,sys\ns=sys.argv[1]\ntry:\n  ok = base64.b64encode(base64.b64decode(s, validate=True)).decode() == s and s != ''\nexcept Exception:\n  ok = False\nsys.exit(0 if ok else 1)", text])
            #expect(python.status == 1, "python accepts \(text.debugDescription)")
        }
        // `abc=` is canonical (its unused bits are zero): accepted, as by python.
        #expect(try Base64.decodeStrict("abc=") == [0x69, 0xb7])
    }

    @Test func lenientDecodeToleratesWhitespaceAndMissingPadding() throws {
        let data = Array("the shared key of a workspace".utf8)
        let encoded = Base64.encode(data)
        let wrapped = String(encoded.prefix(10)) + "\n " + String(encoded.dropFirst(10)) + "\r\n"
        #expect(try Base64.decodeLenient(wrapped) == data)
        let unpadded = String(encoded.drop { _ in false }.prefix { $0 != "=" })
        #expect(try Base64.decodeLenient(unpadded) == data)
        #expect(throws: AgentError.self) { try Base64.decodeLenient("YW*j") }
        #expect(throws: AgentError.self) { try Base64.decodeLenient("Y") }
    }

    @Test func uuidV4IsLowerCaseVersion4AndAcceptedByPython() async throws {
        var seen = Set<String>()
        for _ in 0..<20 {
            let uuid = try SecureRandom.uuidV4()
            #expect(uuid == uuid.lowercased())
            seen.insert(uuid)
            let python = try await Oracle.output(
                ["python3", "-c", "import uuid,sys; u=uuid.UUID(sys.argv[1]); print(u.version, u.variant == uuid.RFC_4122, str(u) == sys.argv[1])", uuid])
            #expect(python.trimmingSpaces == "4 True True")
        }
        #expect(seen.count == 20)
    }

    @Test func randomIntegersStayInRange() throws {
        var values = Set<UInt64>()
        for _ in 0..<200 {
            let v = try SecureRandom.integer(in: 1...65534)
            #expect((1...65534).contains(v))
            values.insert(v)
        }
        #expect(values.count > 150)
        #expect(try SecureRandom.integer(in: 7...7) == 7)
    }
}

extension String {
    /// Without leading and trailing spaces and newlines.
    var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\n" || c == "\r" || c == "\t" { s.removeFirst() }
        while let c = s.last, c == " " || c == "\n" || c == "\r" || c == "\t" { s.removeLast() }
        return String(s)
    }
}
