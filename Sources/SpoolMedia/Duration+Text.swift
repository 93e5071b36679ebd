extension Duration {
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }

    /// "30 s", "1.5 s", "6 h": for messages people read.
    var secondsText: String {
        let value = seconds
        if value >= 3600, value.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(value / 3600)) h" }
        if value == value.rounded() { return "\(Int(value)) s" }
        return "\(FFmpegNumber.format(value, maxFractionDigits: 3)) s"
    }
}
