extension FFprobeDocument {
    /// What `ffprobe -count_packets -show_streams -show_format` reports of the file `index` was read from, for the
    /// fields validation looks at.
    init(_ index: MP4Index) {
        streams = index.tracks.enumerated().map { number, track in
            var stream = Stream(index: number, codecType: track.kind, codecName: track.codec)
            stream.width = track.width
            stream.height = track.height
            stream.duration = String(track.durationSeconds)
            stream.nbFrames = String(track.samples)
            stream.nbReadPackets = String(track.samplesPresent)
            // ffprobe's average rate: frames over the time they span.
            if track.kind == "video", track.sampleTicks > 0 {
                stream.avgFrameRate = "\(track.samples * track.timescale)/\(track.sampleTicks)"
            }
            stream.channels = track.channels
            stream.sampleRate = track.sampleRate.map(String.init)
            return stream
        }
        format = index.durationSeconds.map { Format(duration: String($0)) }
    }
}

extension FFprobeDocument.Stream {
    init(index: Int, codecType: String, codecName: String) {
        self.index = index
        self.codecType = codecType
        self.codecName = codecName
    }
}

extension FFprobeDocument.Format {
    init(duration: String) {
        self.duration = duration
    }
}
