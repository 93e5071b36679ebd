import Foundation

/// The `Encoder` a value is handed to encode itself into one node of a `JSONTree`; its containers add the node's
/// children. Structs that share the tree: a nested value costs no allocation of its own beyond the container box
/// `KeyedEncodingContainer` makes.
struct TreeEncoder: Encoder {
    let tree: JSONTree
    let node: Int

    var codingPath: [any CodingKey] { tree.codingPath(of: node) }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        tree.become(.object, node)
        return KeyedEncodingContainer(TreeKeyedContainer<Key>(tree: tree, node: node))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        tree.become(.array, node)
        return TreeUnkeyedContainer(tree: tree, node: node)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        TreeSingleValueContainer(tree: tree, node: node)
    }
}

struct TreeKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let tree: JSONTree
    let node: Int

    var codingPath: [any CodingKey] { tree.codingPath(of: node) }

    private func child(_ key: Key) -> Int { tree.addChild(of: node, key: key.stringValue) }

    mutating func encodeNil(forKey key: Key) throws { tree.writeNull(into: child(key)) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { tree.writeBool(value, into: child(key)) }
    mutating func encode(_ value: String, forKey key: Key) throws { tree.writeString(value, into: child(key)) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        try tree.writeFloatingPoint(value, into: child(key))
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        try tree.writeFloatingPoint(value, into: child(key))
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { tree.writeRaw(String(value), into: child(key)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { tree.writeRaw(String(value), into: child(key)) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { tree.writeRaw(String(value), into: child(key)) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { tree.writeRaw(String(value), into: child(key)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { tree.writeRaw(String(value), into: child(key)) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { tree.writeRaw(String(value), into: child(key)) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { tree.writeRaw(String(value), into: child(key)) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { tree.writeRaw(String(value), into: child(key)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { tree.writeRaw(String(value), into: child(key)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { tree.writeRaw(String(value), into: child(key)) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { try tree.encode(value, into: child(key)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        let nested = child(key)
        tree.become(.object, nested)
        return KeyedEncodingContainer(TreeKeyedContainer<NestedKey>(tree: tree, node: nested))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = child(key)
        tree.become(.array, nested)
        return TreeUnkeyedContainer(tree: tree, node: nested)
    }

    mutating func superEncoder() -> any Encoder {
        TreeEncoder(tree: tree, node: tree.addChild(of: node, key: "super"))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder { TreeEncoder(tree: tree, node: child(key)) }
}

struct TreeUnkeyedContainer: UnkeyedEncodingContainer {
    let tree: JSONTree
    let node: Int

    var codingPath: [any CodingKey] { tree.codingPath(of: node) }
    var count: Int { tree.nodes[node].childCount }

    private func next() -> Int { tree.addChild(of: node, key: "") }

    mutating func encodeNil() throws { tree.writeNull(into: next()) }
    mutating func encode(_ value: Bool) throws { tree.writeBool(value, into: next()) }
    mutating func encode(_ value: String) throws { tree.writeString(value, into: next()) }
    mutating func encode(_ value: Double) throws { try tree.writeFloatingPoint(value, into: next()) }
    mutating func encode(_ value: Float) throws { try tree.writeFloatingPoint(value, into: next()) }
    mutating func encode(_ value: Int) throws { tree.writeRaw(String(value), into: next()) }
    mutating func encode(_ value: Int8) throws { tree.writeRaw(String(value), into: next()) }
    mutating func encode(_ value: Int16) throws { tree.writeRaw(String(value), into: next()) }
    mutating func encode(_ value: Int32) throws { tree.writeRaw(String(value), into: next()) }
    mutating func encode(_ value: Int64) throws { tree.writeRaw(String(value), into: next()) }
    mutating func encode(_ value: UInt) throws { tree.writeRaw(String(value), into: next()) }
    mutating func encode(_ value: UInt8) throws { tree.writeRaw(String(value), into: next()) }
    mutating func encode(_ value: UInt16) throws { tree.writeRaw(String(value), into: next()) }
    mutating func encode(_ value: UInt32) throws { tree.writeRaw(String(value), into: next()) }
    mutating func encode(_ value: UInt64) throws { tree.writeRaw(String(value), into: next()) }
    mutating func encode<T: Encodable>(_ value: T) throws { try tree.encode(value, into: next()) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        let nested = next()
        tree.become(.object, nested)
        return KeyedEncodingContainer(TreeKeyedContainer<NestedKey>(tree: tree, node: nested))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = next()
        tree.become(.array, nested)
        return TreeUnkeyedContainer(tree: tree, node: nested)
    }

    mutating func superEncoder() -> any Encoder { TreeEncoder(tree: tree, node: next()) }
}

/// Writes the node itself: a scalar, or (through `encode<T>`) whatever the value makes of it.
struct TreeSingleValueContainer: SingleValueEncodingContainer {
    let tree: JSONTree
    let node: Int

    var codingPath: [any CodingKey] { tree.codingPath(of: node) }

    mutating func encodeNil() throws { tree.writeNull(into: node) }
    mutating func encode(_ value: Bool) throws { tree.writeBool(value, into: node) }
    mutating func encode(_ value: String) throws { tree.writeString(value, into: node) }
    mutating func encode(_ value: Double) throws { try tree.writeFloatingPoint(value, into: node) }
    mutating func encode(_ value: Float) throws { try tree.writeFloatingPoint(value, into: node) }
    mutating func encode(_ value: Int) throws { tree.writeRaw(String(value), into: node) }
    mutating func encode(_ value: Int8) throws { tree.writeRaw(String(value), into: node) }
    mutating func encode(_ value: Int16) throws { tree.writeRaw(String(value), into: node) }
    mutating func encode(_ value: Int32) throws { tree.writeRaw(String(value), into: node) }
    mutating func encode(_ value: Int64) throws { tree.writeRaw(String(value), into: node) }
    mutating func encode(_ value: UInt) throws { tree.writeRaw(String(value), into: node) }
    mutating func encode(_ value: UInt8) throws { tree.writeRaw(String(value), into: node) }
    mutating func encode(_ value: UInt16) throws { tree.writeRaw(String(value), into: node) }
    mutating func encode(_ value: UInt32) throws { tree.writeRaw(String(value), into: node) }
    mutating func encode(_ value: UInt64) throws { tree.writeRaw(String(value), into: node) }
    mutating func encode<T: Encodable>(_ value: T) throws { try tree.encode(value, into: node) }
}
