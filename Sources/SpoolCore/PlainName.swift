/// Names that become directory names, Redis key parts and URL segments (pools, tenants): 1 to 40 lower-case
/// letters, digits and dashes, not starting with a dash.
enum PlainName {
    static func check(_ name: String, field: String) throws(SpecError) {
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
        }
        guard (1...40).contains(name.count), allowed, name.first != "-" else {
            throw SpecError(
                field: field, rule: "format",
                message: "use 1 to 40 lower-case letters, digits and dashes, not starting with a dash; got '\(name)'")
        }
    }
}
