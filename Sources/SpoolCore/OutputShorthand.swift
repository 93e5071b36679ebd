/// The CLI's compact output syntax: `NAME=KIND[,KEY=VALUE…]`, or a JSON object.
///
///     small=mp4,height=240,codec=h264,crf=26,audio=aac
///     hls=hls,heights=720/480/360,segment=4
///     thumbs=thumbnails,every=1,height=90
public enum OutputShorthand {
    public static let help = """
        NAME=mp4[,height=H][,width=W][,codec=h264|hevc][,crf=N|bitrate=KBPS][,fps=F][,audio=aac|none]
        NAME=hls,heights=H1/H2/…[,segment=S][,codec=h264|hevc]
        NAME=thumbnails,every=SECONDS|count=N[,height=H]
        """

    public static func parse(_ text: String) throws(SpecError) -> OutputSpec {
        let parts = text.split(separator: ",").map(String.init)
        guard let head = parts.first, let equals = head.firstIndex(of: "=") else {
            throw SpecError(
                field: "--output", rule: "syntax", message: "expected NAME=KIND[,KEY=VALUE…], got '\(text)'")
        }
        let name = String(head[..<equals])
        let kind = String(head[head.index(after: equals)...])
        var options: [String: String] = [:]
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else {
                throw SpecError(field: "--output", rule: "syntax", message: "expected KEY=VALUE, got '\(part)'")
            }
            options[pair[0]] = pair[1]
        }
        func int(_ key: String) throws(SpecError) -> Int? {
            guard let value = options.removeValue(forKey: key) else { return nil }
            guard let number = Int(value) else {
                throw SpecError(
                    field: "--output \(key)", rule: "type", message: "\(key) must be a whole number, got '\(value)'")
            }
            return number
        }
        func double(_ key: String) throws(SpecError) -> Double? {
            guard let value = options.removeValue(forKey: key) else { return nil }
            guard let number = Double(value) else {
                throw SpecError(
                    field: "--output \(key)", rule: "type", message: "\(key) must be a number, got '\(value)'")
            }
            return number
        }
        func codec() throws(SpecError) -> VideoCodec {
            guard let value = options.removeValue(forKey: "codec") else { return .h264 }
            guard let codec = VideoCodec(rawValue: value) else {
                throw SpecError(
                    field: "--output codec", rule: "enum", message: "codec must be h264 or hevc, got '\(value)'")
            }
            return codec
        }

        let format: OutputSpec.Format
        switch kind {
        case "mp4":
            let video = VideoSettings(
                codec: try codec(), width: try int("width"), height: try int("height"), bitrateKbps: try int("bitrate"),
                crf: try int("crf"), fps: try double("fps"))
            let audioName = options.removeValue(forKey: "audio") ?? "aac"
            guard let audio = AudioCodec(rawValue: audioName) else {
                throw SpecError(
                    field: "--output audio", rule: "enum", message: "audio must be aac or none, got '\(audioName)'")
            }
            format = .mp4(video: video, audio: AudioSettings(codec: audio))
        case "hls":
            let videoCodec = try codec()
            let heights = (options.removeValue(forKey: "heights") ?? "720/480/360").split(separator: "/")
            var renditions: [Rendition] = []
            for height in heights {
                guard let value = Int(height) else {
                    throw SpecError(
                        field: "--output heights", rule: "type", message: "heights are numbers split by '/'")
                }
                renditions.append(Rendition(video: VideoSettings(codec: videoCodec, height: value)))
            }
            format = .hls(renditions: renditions, segmentSeconds: try int("segment") ?? 4)
        case "thumbnails":
            format = .thumbnails(
                everySeconds: try double("every"), count: try int("count"), height: try int("height") ?? 180)
        default:
            throw SpecError(
                field: "--output", rule: "kind", message: "kind must be mp4, hls or thumbnails, got '\(kind)'")
        }
        if let unknown = options.keys.sorted().first {
            throw SpecError(
                field: "--output \(unknown)", rule: "unknown_key",
                message: "'\(unknown)' means nothing for \(kind) outputs")
        }
        return OutputSpec(name: name, format: format)
    }
}
