/// Numbers as ffmpeg options and filter arguments take them: plain decimal, no exponent, no trailing zeros, and
/// independent of the process locale.
enum FFmpegNumber {
    static func format(_ value: Double, maxFractionDigits: Int = 6) -> String {
        guard value.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<maxFractionDigits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = (scaled / scale).rounded(.down)
        let fraction = Int((scaled - whole * scale).rounded())
        var text = String(Int(whole))
        if fraction > 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: max(0, maxFractionDigits - digits.count)) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return value < 0 && scaled > 0 ? "-" + text : text
    }
}
