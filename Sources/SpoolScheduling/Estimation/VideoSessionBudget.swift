import SpoolCore

/// How many NVENC and NVDEC sessions a GPU can carry. Consumer cards: the driver's session cap (system-wide on
/// Linux). Data-center cards have no cap, so engine throughput bounds them: an engine that encodes ~600 fps of
/// 1080p serves ten sessions at the 60 fps (2× real time) each transcode should get.
public struct VideoSessionBudget: Codable, Sendable, Equatable {
    public var encoderFPSPerEngine: Double
    public var decoderFPSPerEngine: Double
    public var targetFPSPerSession: Double

    public init(encoderFPSPerEngine: Double = 600, decoderFPSPerEngine: Double = 1200, targetFPSPerSession: Double = 60)
    {
        self.encoderFPSPerEngine = encoderFPSPerEngine
        self.decoderFPSPerEngine = decoderFPSPerEngine
        self.targetFPSPerSession = targetFPSPerSession
    }

    public static let `default` = VideoSessionBudget()

    public func encoderSessions(_ engines: VideoEngines) -> Int {
        let byThroughput = engines.nvenc * max(1, Int(encoderFPSPerEngine / targetFPSPerSession))
        return engines.sessionLimit.map { min($0, byThroughput) } ?? byThroughput
    }

    public func decoderSessions(_ engines: VideoEngines) -> Int {
        engines.nvdec * max(1, Int(decoderFPSPerEngine / targetFPSPerSession))
    }

    enum CodingKeys: String, CodingKey {
        case encoderFPSPerEngine = "encoder_fps_per_engine"
        case decoderFPSPerEngine = "decoder_fps_per_engine"
        case targetFPSPerSession = "target_fps_per_session"
    }
}
