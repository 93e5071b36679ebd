/// Classifies literal IP addresses for SSRF checks (OWASP): loopback, RFC 1918 / ULA private, link-local
/// (including the cloud metadata address 169.254.169.254), unspecified and multicast are "internal".
public enum NetworkAddressRules {
    public static func isInternal(_ address: String) -> Bool {
        if let v4 = ipv4Octets(address) { return isInternal(v4: v4) }
        let lower = address.lowercased().trimmingCharacters(in: "[]")
        guard lower.contains(":") else { return false }
        if lower == "::1" || lower == "::" { return true }
        if let mapped = lower.components(separatedByPrefix: "::ffff:"), let v4 = ipv4Octets(mapped) {
            return isInternal(v4: v4)
        }
        if lower.hasPrefix("fe8") || lower.hasPrefix("fe9") || lower.hasPrefix("fea") || lower.hasPrefix("feb") {
            return true
        }
        if lower.hasPrefix("fc") || lower.hasPrefix("fd") || lower.hasPrefix("ff") { return true }
        return false
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
