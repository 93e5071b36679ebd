import Foundation

/// NVENC/NVDEC engine counts per GPU model (NVIDIA's support matrix; see shared notes, ffmpeg.md §6).
/// nvidia-smi does not report engine counts, so the model name decides.
public enum GPUModelCatalog {
    struct Entry {
        var pattern: String
        var engines: VideoEngines
    }

    /// Consumer (GeForce) cards: the driver caps concurrent NVENC sessions (8 since driver 550).
    public static let consumerSessionLimit = 8

    // Most specific first: "H100" must not match "A100" rules and "RTX 4090" before "RTX 40".
    static let entries: [Entry] = [
        Entry(pattern: "H200", engines: VideoEngines(nvenc: 0, nvdec: 7)),
        Entry(pattern: "H100", engines: VideoEngines(nvenc: 0, nvdec: 7)),
        Entry(pattern: "H800", engines: VideoEngines(nvenc: 0, nvdec: 7)),
        Entry(pattern: "A100", engines: VideoEngines(nvenc: 0, nvdec: 5)),
        Entry(pattern: "A800", engines: VideoEngines(nvenc: 0, nvdec: 5)),
        Entry(pattern: "A30", engines: VideoEngines(nvenc: 0, nvdec: 4)),
        Entry(pattern: "L40S", engines: VideoEngines(nvenc: 3, nvdec: 3)),
        Entry(pattern: "L40", engines: VideoEngines(nvenc: 3, nvdec: 3)),
        Entry(pattern: "L4", engines: VideoEngines(nvenc: 2, nvdec: 4)),
        Entry(pattern: "A10G", engines: VideoEngines(nvenc: 1, nvdec: 2)),
        Entry(pattern: "A10", engines: VideoEngines(nvenc: 1, nvdec: 2)),
        Entry(pattern: "T4", engines: VideoEngines(nvenc: 1, nvdec: 2)),
        Entry(pattern: "RTX 5090", engines: VideoEngines(nvenc: 3, nvdec: 2, sessionLimit: consumerSessionLimit)),
        Entry(pattern: "RTX 4090", engines: VideoEngines(nvenc: 2, nvdec: 1, sessionLimit: consumerSessionLimit)),
    ]

    /// Engines for a model name as nvidia-smi prints it ("NVIDIA H200", "Tesla T4", "NVIDIA GeForce RTX 3060").
    /// Unknown GeForce cards are assumed to have one NVENC and one NVDEC under the consumer session cap; unknown
    /// data-center cards are assumed to have decoders only, so a job is never sent to an encoder that may not exist.
    public static func engines(forModel name: String) -> VideoEngines {
        let upper = name.uppercased()
        for entry in entries where upper.contains(entry.pattern) && matchesWord(entry.pattern, in: upper) {
            return entry.engines
        }
        if upper.contains("GEFORCE") || upper.contains("RTX") || upper.contains("GTX") || upper.contains("QUADRO") {
            let consumer = upper.contains("GEFORCE") || upper.contains("GTX") || upper.hasPrefix("NVIDIA RTX") == false
            return VideoEngines(nvenc: 1, nvdec: 1, sessionLimit: consumer ? consumerSessionLimit : nil)
        }
        return VideoEngines(nvenc: 0, nvdec: 1)
    }

    /// The pattern must end at a word boundary so "L4" does not match "L40S".
    static func matchesWord(_ pattern: String, in text: String) -> Bool {
        var searchStart = text.startIndex
        while let range = text.range(of: pattern, range: searchStart..<text.endIndex) {
            let after = range.upperBound
            if after == text.endIndex || !(text[after].isLetter || text[after].isNumber) { return true }
            searchStart = text.index(after: range.lowerBound)
        }
        return false
    }
}
