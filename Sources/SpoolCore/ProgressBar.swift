/// Renders a one-line progress bar for a terminal: `▕█████▌    ▏ 57%  48 fps  1.9×  running on cpu`.
public enum ProgressBar {
    static let partials: [Character] = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    public static func render(
        fraction: Double, width: Int = 30, fps: Double? = nil, speed: Double? = nil, note: String = ""
    )
        -> String
    {
        let clamped = min(max(fraction, 0), 1)
        let eighths = Int((clamped * Double(width * 8)).rounded(.down))
        var bar = String(repeating: "█", count: eighths / 8)
        if eighths / 8 < width {
            bar.append(partials[eighths % 8])
            bar += String(repeating: " ", count: width - eighths / 8 - 1)
        }
        var line = "▕\(bar)▏ \(Int((clamped * 100).rounded(.down)))%"
        if let fps { line += "  \(Int(fps.rounded())) fps" }
        if let speed { line += "  " + formatSpeed(speed) }
        if !note.isEmpty { line += "  " + note }
        return line
    }

    static func formatSpeed(_ speed: Double) -> String {
        let tenths = Int((speed * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)×"
    }
}
