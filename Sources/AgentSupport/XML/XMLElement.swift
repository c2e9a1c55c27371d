/// One element of a parsed XML document: its local name (namespace prefix removed), attributes (local names),
/// the concatenated text directly inside it, and its child elements in document order.
public struct XMLElement: Sendable, Equatable {
    public var name: String
    public var attributes: [String: String]
    public var text: String
    public var children: [XMLElement]

    public init(name: String, attributes: [String: String] = [:], text: String = "", children: [XMLElement] = []) {
        self.name = name
        self.attributes = attributes
        self.text = text
        self.children = children
    }

    /// The first direct child named `name`.
    public func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }

    /// The first element named `name` in depth-first document order, this element included.
    public func first(_ name: String) -> XMLElement? {
        if self.name == name { return self }
        for c in children { if let hit = c.first(name) { return hit } }
        return nil
    }

    /// The text with surrounding whitespace removed.
    public var trimmedText: String {
        let s = text.unicodeScalars
        guard let a = s.firstIndex(where: { !$0.properties.isWhitespace }),
              let b = s.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(s[a...b])
    }
}
