import Foundation

/// Classifies literal IP addresses for SSRF checks (OWASP): loopback, RFC 1918 / ULA private, link-local
/// (including the cloud metadata address 169.254.169.254), unspecified and multicast are "internal".
public enum NetworkAddressRules {
    public static func isInternal(_ address: String) -> Bool {
        if let v4 = ipv4Octets(address) { return isInternal(v4: v4) }
        let lower = address.lowercased().trimmingCharacters(in: "[]")
        guard lower.contains(":") else { return false }
        // Unparseable IPv6 text is refused rather than guessed at.
        guard let groups = ipv6Groups(lower) else { return true }
        return isInternal(v6: groups)
    }

    /// Classifies the eight 16-bit groups of an IPv6 address. Forms that embed an IPv4 address (mapped
    /// ::ffff:0:0/96, compatible ::/96, NAT64 64:ff9b::/96) are judged by that address.
    static func isInternal(v6 g: [UInt16]) -> Bool {
        func embedded() -> [Int] { [Int(g[6] >> 8), Int(g[6] & 0xff), Int(g[7] >> 8), Int(g[7] & 0xff)] }
        if g[0..<5].allSatisfy({ $0 == 0 }) && (g[5] == 0xffff || g[5] == 0) {
            // ::, ::1 and the IPv4-compatible / IPv4-mapped forms all fall here.
            if g[5] == 0 && g[6] == 0 && g[7] <= 1 { return true }
            return isInternal(v4: embedded())
        }
        if g[0] == 0x64 && g[1] == 0xff9b && g[2..<6].allSatisfy({ $0 == 0 }) { return isInternal(v4: embedded()) }
        if g[0] & 0xfe00 == 0xfc00 { return true }  // fc00::/7 unique local
        if g[0] & 0xffc0 == 0xfe80 { return true }  // fe80::/10 link-local
        if g[0] & 0xffc0 == 0xfec0 { return true }  // fec0::/10 site-local (deprecated)
        if g[0] & 0xff00 == 0xff00 { return true }  // ff00::/8 multicast
        return false
    }

    /// Parses IPv6 text (with `::`, an embedded dotted IPv4 tail and an optional `%zone`) into eight groups.
    static func ipv6Groups(_ text: String) -> [UInt16]? {
        var body = Substring(text)
        if let percent = body.firstIndex(of: "%") { body = body[..<percent] }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII }) else { return nil }
        func parse(_ part: Substring) -> [UInt16]? {
            if part.isEmpty { return [] }
            var groups: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains(".") {
                    guard let v4 = ipv4Octets(String(piece)) else { return nil }
                    groups.append(UInt16(v4[0] << 8 | v4[1]))
                    groups.append(UInt16(v4[2] << 8 | v4[3]))
                } else {
                    guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                    groups.append(value)
                }
            }
            return groups
        }
        let halves = body.components(separatedBy: "::")
        switch halves.count {
        case 1:
            guard let groups = parse(body), groups.count == 8 else { return nil }
            return groups
        case 2:
            guard let head = parse(Substring(halves[0])), let tail = parse(Substring(halves[1])),
                head.count + tail.count <= 7
            else { return nil }
            return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        default:
            return nil
        }
    }

    public static func isIPLiteral(_ host: String) -> Bool {
        ipv4Octets(host) != nil || host.contains(":")
    }

    static func isInternal(v4 o: [Int]) -> Bool {
        switch (o[0], o[1]) {
        case (127, _), (10, _), (0, _): true
        case (169, 254), (192, 168): true
        case (172, 16...31): true
        case (100, 64...127): true  // carrier-grade NAT
        case (224...255, _): true
        default: false
        }
    }

    static func ipv4Octets(_ text: String) -> [Int]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let octets = parts.compactMap { part -> Int? in
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let value = Int(part), value <= 255 else {
                return nil
            }
            return value
        }
        return octets.count == 4 ? octets : nil
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let first = s.first, set.contains(first) { s = s.dropFirst() }
        while let last = s.last, set.contains(last) { s = s.dropLast() }
        return String(s)
    }

    func components(separatedByPrefix prefix: String) -> String? { removingPrefix(prefix) }
}
