import CAgentExpat

/// A small, safe XML reader over expat: builds an element tree with namespace-agnostic names.
///
/// Documents with a DTD (`<!DOCTYPE`) are refused, so no entity can be declared or expanded and no external
/// resource is ever read; input size and nesting depth are bounded.
public struct XMLDocument: Sendable {
    /// Why a document could not be read.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// The root element.
    public let root: XMLElement

    /// Largest accepted input and deepest accepted nesting.
    public static let maximumSize = 1 << 20
    public static let maximumDepth = 64

    /// Parses `bytes`.
    public init(parsing bytes: [UInt8]) throws(ParseError) {
        guard bytes.count <= Self.maximumSize else { throw ParseError(description: "document larger than 1 MiB") }
        guard let parser = XML_ParserCreate(nil) else { throw ParseError(description: "cannot create an XML parser") }
        defer { XML_ParserFree(parser) }
        let builder = XMLTreeBuilder()
        builder.parser = parser
        let unmanaged = Unmanaged.passRetained(builder)
        defer { unmanaged.release() }
        XML_SetUserData(parser, unmanaged.toOpaque())
        XML_SetElementHandler(parser, xmlStartElement, xmlEndElement)
        XML_SetCharacterDataHandler(parser, xmlCharacterData)
        XML_SetStartDoctypeDeclHandler(parser, xmlStartDoctype)
        XML_SetParamEntityParsing(parser, XML_PARAM_ENTITY_PARSING_NEVER)
        let status = bytes.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { XML_Parse(parser, $0.baseAddress, Int32($0.count), 1) }
        }
        if let failure = builder.failure { throw ParseError(description: failure) }
        guard status == XML_STATUS_OK else {
            let text = XML_ErrorString(XML_GetErrorCode(parser)).map { String(cString: $0) } ?? "malformed"
            throw ParseError(description: "\(text) at line \(XML_GetCurrentLineNumber(parser))")
        }
        guard let root = builder.root else { throw ParseError(description: "no root element") }
        self.root = root
    }

    /// Parses UTF-8 text.
    public init(parsing text: String) throws(ParseError) { try self.init(parsing: Array(text.utf8)) }
}

/// Collects the tree while expat calls back.
final class XMLTreeBuilder {
    var parser: XML_Parser?
    var stack: [XMLElement] = []
    var root: XMLElement?
    var failure: String?

    static func localName(_ p: UnsafePointer<CChar>) -> String {
        let full = String(cString: p)
        if let colon = full.lastIndex(of: ":") { return String(full[full.index(after: colon)...]) }
        return full
    }

    func stop(_ why: String) {
        if failure == nil { failure = why }
        if let parser { XML_StopParser(parser, XML_FALSE) }
    }
}

private func builder(_ data: UnsafeMutableRawPointer?) -> XMLTreeBuilder {
    Unmanaged<XMLTreeBuilder>.fromOpaque(data!).takeUnretainedValue()
}

let xmlStartElement: XML_StartElementHandler = { data, name, attrs in
    let b = builder(data)
    guard b.stack.count < XMLDocument.maximumDepth else { b.stop("elements nested too deeply"); return }
    var attributes: [String: String] = [:]
    if var p = attrs {
        while let key = p.pointee, let value = p.successor().pointee {
            attributes[XMLTreeBuilder.localName(key)] = String(cString: value)
            p = p.advanced(by: 2)
        }
    }
    b.stack.append(XMLElement(name: XMLTreeBuilder.localName(name!), attributes: attributes))
}

let xmlEndElement: XML_EndElementHandler = { data, _ in
    let b = builder(data)
    guard let done = b.stack.popLast() else { return }
    if b.stack.isEmpty { b.root = done } else { b.stack[b.stack.count - 1].children.append(done) }
}

let xmlCharacterData: XML_CharacterDataHandler = { data, s, len in
    let b = builder(data)
    guard let s, len > 0, !b.stack.isEmpty else { return }
    let text = s.withMemoryRebound(to: UInt8.self, capacity: Int(len)) {
        String(decoding: UnsafeBufferPointer(start: $0, count: Int(len)), as: UTF8.self)
    }
    b.stack[b.stack.count - 1].text += text
}

let xmlStartDoctype: XML_StartDoctypeDeclHandler = { data, _, _, _, _ in
    builder(data).stop("documents with a DOCTYPE are not accepted")
}
