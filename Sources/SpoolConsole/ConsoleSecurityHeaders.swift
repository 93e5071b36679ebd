import HTTPTypes

/// The headers every console response carries. The policy allows only the console's own files: no inline script or
/// style, no other origin, no framing, so an injected string cannot run or exfiltrate anything.
public enum ConsoleSecurityHeaders {
    /// The policy; `mediaOrigins` are other origins the page may show images and play media from (the bucket that
    /// downloads are redirected to with `--downloads redirect`).
    public static func contentSecurityPolicy(mediaOrigins: [String] = []) -> String {
        let media = (["'self'"] + mediaOrigins).joined(separator: " ")
        return "default-src 'none'; script-src 'self'; style-src 'self'; img-src \(media) data: blob:; "
            + "media-src \(media) blob:; connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
            + "form-action 'self'; frame-ancestors 'none'"
    }

    public static func fields(mediaOrigins: [String] = []) -> HTTPFields {
        var fields = HTTPFields()
        fields[HTTPField.Name("Content-Security-Policy")!] = contentSecurityPolicy(mediaOrigins: mediaOrigins)
        fields[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        fields[HTTPField.Name("X-Frame-Options")!] = "DENY"
        fields[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        fields[HTTPField.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        return fields
    }
}
