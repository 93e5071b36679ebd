import Foundation

/// What an MP4 (ISO base media file) says of itself in its `moov` box, and how much of what it indexes the file really
/// holds, read without decoding or demuxing a frame. It answers what `ffprobe -count_packets` answered for an output
/// (codec, size, duration, frames declared and frames present) in a fraction of a millisecond instead of a process
/// start (about 60 ms of CPU, most of it the dynamic linker loading ffmpeg's libraries: bench/overhead measured it).
/// Anything it does not model (fragmented files, unknown codecs, complex edit lists) is `unsupported`, and the caller
/// asks ffprobe instead.
struct MP4Index: Sendable, Equatable {
    struct Track: Sendable, Equatable {
        /// ffprobe's `codec_type`: "video" or "audio".
        var kind: String
        /// ffprobe's `codec_name`: h264, hevc, av1, vp9, aac, mp3, opus, flac, ac3, eac3.
        var codec: String
        var width: Int?
        var height: Int?
        /// The presented duration: the edit list's when there is one, else the media header's.
        var durationSeconds: Double
        var timescale: Int
        /// The sum of every sample's duration, in `timescale` ticks.
        var sampleTicks: Int
        /// Samples the index declares.
        var samples: Int
        /// Samples whose bytes lie wholly inside the file's `mdat` boxes: fewer than `samples` when the file was cut
        /// short after its index.
        var samplesPresent: Int
        /// An audio track's channel count and sample rate, from its sample entry.
        var channels: Int? = nil
        var sampleRate: Int? = nil
        /// Whether the track header's matrix is anything but the identity (a rotated phone clip).
        var transformed = false
    }

    var tracks: [Track]
    /// The movie header's duration.
    var durationSeconds: Double?

    /// More samples in one track are left to ffprobe: a day of 60 fps video has 5.2 million, of 48 kHz AAC 4 million.
    static let maximumSamples = 10_000_000

    /// Larger indexes (many hours of video) are left to ffprobe rather than read into memory here.
    static let largestIndexBytes = 64 << 20

    /// Reads the top-level boxes of the file at `path`: its `moov` in full, and where its `mdat` payloads lie.
    static func read(path: String) throws(MP4IndexError) -> MP4Index {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .unreadable("cannot open \(path)") }
        defer { try? handle.close() }
        do {
            let fileSize = Int(try handle.seekToEnd())
            var position = 0
            var movie: [UInt8]?
            var mediaData: [Range<Int>] = []
            while position + 8 <= fileSize {
                try handle.seek(toOffset: UInt64(position))
                let header = ISOBoxBytes(Array(try handle.read(upToCount: 16) ?? Data()))
                var size = Int(try header.uint32(at: 0))
                let type = try header.fourCC(at: 4)
                var headerLength = 8
                if size == 1 {
                    guard let large = Int(exactly: try header.uint64(at: 8)) else {
                        throw MP4IndexError.damaged("box size")
                    }
                    size = large
                    headerLength = 16
                } else if size == 0 {
                    size = fileSize - position
                }
                guard size >= headerLength else { throw MP4IndexError.damaged("a \(type) box smaller than its header") }
                // Where the box ends, or the file's end for one that claims more (a cut-short file); compared by
                // subtraction, since an input's 64-bit size may be anything.
                let end = size >= fileSize - position ? fileSize : position + size
                switch type {
                case "moov":
                    guard size - headerLength <= largestIndexBytes else {
                        throw MP4IndexError.unsupported("large index")
                    }
                    guard size <= fileSize - position else { throw MP4IndexError.damaged("the moov box is cut short") }
                    try handle.seek(toOffset: UInt64(position + headerLength))
                    movie = Array(try handle.read(upToCount: size - headerLength) ?? Data())
                case "mdat":
                    mediaData.append(min(position + headerLength, end)..<end)
                case "moof", "mfra", "sidx":
                    throw MP4IndexError.unsupported("a fragmented MP4")
                default:
                    break
                }
                position = end
            }
            guard let movie else { throw MP4IndexError.unsupported("no moov box") }
            return try parse(movie: ISOBoxBytes(movie), mediaData: mediaData)
        } catch let error as MP4IndexError {
            throw error
        } catch {
            throw .unreadable("\(path): \(error)")
        }
    }

    /// Parses a `moov` payload; `mediaData` are the byte ranges of the file's `mdat` payloads that the file holds.
    static func parse(movie: ISOBoxBytes, mediaData: [Range<Int>]) throws(MP4IndexError) -> MP4Index {
        guard let header = try movie.child("mvhd") else { throw .damaged("no movie header") }
        let (movieTimescale, movieDuration) = try timing(header)
        var tracks: [Track] = []
        for (type, box) in try movie.children() where type == "trak" {
            tracks.append(try track(box, movieTimescale: movieTimescale, mediaData: mediaData))
        }
        guard !tracks.isEmpty else { throw .unsupported("no tracks") }
        return MP4Index(
            tracks: tracks,
            durationSeconds: movieTimescale > 0 ? Double(movieDuration) / Double(movieTimescale) : nil)
    }

    /// Timescale and duration of a movie or media header (version 0: 32-bit times, version 1: 64-bit).
    static func timing(_ box: ISOBoxBytes) throws(MP4IndexError) -> (timescale: Int, duration: Int) {
        if try box.uint8(at: 0) == 1 {
            guard let duration = Int(exactly: try box.uint64(at: 24)) else { throw .damaged("duration") }
            return (Int(try box.uint32(at: 20)), duration)
        }
        return (Int(try box.uint32(at: 12)), Int(try box.uint32(at: 16)))
    }

    static func track(_ trak: ISOBoxBytes, movieTimescale: Int, mediaData: [Range<Int>]) throws(MP4IndexError)
        -> Track
    {
        guard let media = try trak.child("mdia"), let mediaHeader = try media.child("mdhd"),
            let handler = try media.child("hdlr"), let table = try media.child("minf")?.child("stbl"),
            let descriptions = try table.child("stsd")
        else { throw .damaged("a track without its media boxes") }
        let kind: String
        switch try handler.fourCC(at: 8) {
        case "vide": kind = "video"
        case "soun": kind = "audio"
        case let other: throw .unsupported("a \(other) track")
        }
        let (timescale, mediaDuration) = try timing(mediaHeader)
        guard timescale > 0 else { throw .damaged("a media timescale of 0") }
        guard try descriptions.uint32(at: 4) >= 1, let entry = try descriptions.children(from: 8).first else {
            throw .damaged("no sample description")
        }
        let codec = try codecName(entry.type, entry: entry.payload)
        var width: Int?
        var height: Int?
        var channels: Int?
        var sampleRate: Int?
        if kind == "video" {
            width = Int(try entry.payload.uint16(at: 24))
            height = Int(try entry.payload.uint16(at: 26))
        } else {
            // Read only where ffprobe's answer can be told from the index; left nil otherwise.
            if codec == "aac", let layout = try? aacLayout(entry.payload) {
                channels = layout.channels
                sampleRate = layout.sampleRate
            }
        }
        let (samples, ticks) = try sampleTimes(table)
        let sizes = try sampleSizes(table)
        guard sizes.count == samples else { throw .damaged("stts and stsz disagree on the sample count") }
        let present = try samplesPresent(table, sizes: sizes, mediaData: mediaData)
        var duration = Double(mediaDuration) / Double(timescale)
        if let edited = try editedDuration(trak, movieTimescale: movieTimescale) { duration = edited }
        return Track(
            kind: kind, codec: codec, width: width, height: height, durationSeconds: duration, timescale: timescale,
            sampleTicks: ticks, samples: samples, samplesPresent: present, channels: channels, sampleRate: sampleRate,
            transformed: try isTransformed(trak))
    }

    /// Whether the track header's 3x3 matrix differs from the identity (16.16 fixed point, the last column 2.30).
    static func isTransformed(_ trak: ISOBoxBytes) throws(MP4IndexError) -> Bool {
        guard let header = try trak.child("tkhd") else { throw .damaged("a track without its header") }
        let matrix = try header.uint8(at: 0) == 1 ? 52 : 40
        let identity: [UInt32] = [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000]
        for (index, value) in identity.enumerated() where try header.uint32(at: matrix + index * 4) != value {
            return true
        }
        return false
    }

    /// The presented duration of a track with a one-entry edit list (what ffmpeg writes to hide encoder delay), as
    /// ffprobe reports it; nil without an edit list.
    static func editedDuration(_ trak: ISOBoxBytes, movieTimescale: Int) throws(MP4IndexError) -> Double? {
        guard let edits = try trak.child("edts")?.child("elst") else { return nil }
        let version = try edits.uint8(at: 0)
        let count = try edits.uint32(at: 4)
        guard count == 1, movieTimescale > 0 else { throw .unsupported("an edit list of \(count) entries") }
        let segment = version == 1 ? Int(clamping: try edits.uint64(at: 8)) : Int(try edits.uint32(at: 8))
        let mediaTime =
            version == 1
            ? Int64(bitPattern: try edits.uint64(at: 16)) : Int64(Int32(bitPattern: try edits.uint32(at: 12)))
        guard mediaTime >= 0 else { throw .unsupported("an empty edit") }
        return segment > 0 ? Double(segment) / Double(movieTimescale) : nil
    }

    /// ffprobe's name for a sample entry's codec.
    static func codecName(_ type: String, entry: ISOBoxBytes) throws(MP4IndexError) -> String {
        switch type {
        case "avc1", "avc3": return "h264"
        case "hvc1", "hev1": return "hevc"
        case "av01": return "av1"
        case "vp09": return "vp9"
        case "Opus": return "opus"
        case "fLaC": return "flac"
        case "ac-3": return "ac3"
        case "ec-3": return "eac3"
        case "mp4a":
            switch try audioObjectType(entry) {
            case 0x40, 0x66, 0x67, 0x68: return "aac"
            case 0x69, 0x6B: return "mp3"
            case let other: throw .unsupported("MPEG-4 audio of object type \(other)")
            }
        default: throw .unsupported("codec \(type)")
        }
    }

    /// The object type of an `mp4a` entry, from its `esds` decoder configuration.
    static func audioObjectType(_ entry: ISOBoxBytes) throws(MP4IndexError) -> UInt8 {
        try decoderConfiguration(entry).objectType
    }

    /// An AAC entry's channels and sample rate as ffprobe reports them, from the AudioSpecificConfig in its `esds`
    /// (the sample entry's own channel count is often a fixed 2). Only plain AAC-LC above 24 kHz with a standard
    /// channel layout: below that rate a stream may carry SBR (HE-AAC) that only decoding reveals, and ffprobe then
    /// reports twice the rate. Anything else is `unsupported`.
    static func aacLayout(_ entry: ISOBoxBytes) throws(MP4IndexError) -> (channels: Int, sampleRate: Int) {
        let (objectType, specific) = try decoderConfiguration(entry)
        guard objectType == 0x40, let specific, specific.count >= 2 else { throw .unsupported("an AAC layout") }
        let bits =
            UInt32(specific[0]) << 24 | UInt32(specific[1]) << 16
            | (specific.count > 2 ? UInt32(specific[2]) << 8 : 0)
        let audioObjectType = bits >> 27
        let frequencyIndex = Int(bits >> 23 & 0xF)
        let channelConfiguration = Int(bits >> 19 & 0xF)
        let rates = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350]
        guard audioObjectType == 2, frequencyIndex < rates.count, rates[frequencyIndex] > 24000,
            (1...7).contains(channelConfiguration)
        else { throw .unsupported("an AAC layout") }
        return (channelConfiguration == 7 ? 8 : channelConfiguration, rates[frequencyIndex])
    }

    /// The object type of an `mp4a` entry and the bytes of its decoder-specific information, when it has one.
    static func decoderConfiguration(_ entry: ISOBoxBytes) throws(MP4IndexError) -> (
        objectType: UInt8, specific: [UInt8]?
    ) {
        // A sound sample entry: version 0 has 20 bytes after the 8 of every sample entry, 1 adds 16, 2 adds 36.
        let extra: Int
        switch try entry.uint16(at: 8) {
        case 0: extra = 0
        case 1: extra = 16
        case 2: extra = 36
        default: throw .unsupported("a sound sample entry of an unknown version")
        }
        guard let esds = try entry.children(from: 28 + extra).first(where: { $0.type == "esds" })?.payload else {
            throw .unsupported("mp4a without esds")
        }
        var position = 4
        func descriptor(_ expected: UInt8) throws(MP4IndexError) {
            guard try esds.uint8(at: position) == expected else { throw .unsupported("esds layout") }
            position += 1
            // The length: up to four bytes of 7 bits, the high bit saying another follows.
            for _ in 0..<4 {
                let byte = try esds.uint8(at: position)
                position += 1
                if byte & 0x80 == 0 { break }
            }
        }
        try descriptor(0x03)
        let flags = try esds.uint8(at: position + 2)
        position += 3
        if flags & 0x80 != 0 { position += 2 }
        if flags & 0x40 != 0 { position += 1 + Int(try esds.uint8(at: position)) }
        if flags & 0x20 != 0 { position += 2 }
        try descriptor(0x04)
        let objectType = try esds.uint8(at: position)
        // Object type, stream type, buffer size (3 bytes), maximum and average bit rates (4 each).
        position += 13
        guard position < esds.count, try esds.uint8(at: position) == 0x05 else { return (objectType, nil) }
        position += 1
        var length = 0
        for _ in 0..<4 {
            let byte = try esds.uint8(at: position)
            position += 1
            length = length << 7 | Int(byte & 0x7F)
            if byte & 0x80 == 0 { break }
        }
        var specific: [UInt8] = []
        for offset in 0..<min(length, 3) { specific.append(try esds.uint8(at: position + offset)) }
        return (objectType, specific)
    }

    /// How many samples `stts` declares and their summed duration in ticks.
    static func sampleTimes(_ table: ISOBoxBytes) throws(MP4IndexError) -> (samples: Int, ticks: Int) {
        guard let times = try table.child("stts") else { throw .damaged("no stts") }
        var samples = 0
        var ticks = 0
        for entry in 0..<Int(try times.uint32(at: 4)) {
            let count = Int(try times.uint32(at: 8 + entry * 8))
            // An input's counts and durations may be anything: a sum that overflows is a damaged index, not a trap.
            let (span, spanOverflow) = count.multipliedReportingOverflow(by: Int(try times.uint32(at: 12 + entry * 8)))
            let (total, totalOverflow) = ticks.addingReportingOverflow(span)
            guard !spanOverflow, !totalOverflow, samples <= maximumSamples - count else {
                throw .damaged("stts declares more samples or ticks than a file can hold")
            }
            samples += count
            ticks = total
        }
        return (samples, ticks)
    }

    static func sampleSizes(_ table: ISOBoxBytes) throws(MP4IndexError) -> [Int] {
        guard let sizes = try table.child("stsz") else { throw .unsupported("no stsz") }
        let uniform = Int(try sizes.uint32(at: 4))
        let count = Int(try sizes.uint32(at: 8))
        // Every sample gets an entry below; a count an input made up must not allocate gigabytes.
        guard count <= maximumSamples else { throw .unsupported("more than \(maximumSamples) samples in a track") }
        guard uniform == 0 else { return Array(repeating: uniform, count: count) }
        guard count <= (sizes.count - 12) / 4 else { throw .damaged("stsz lists fewer sizes than samples") }
        var result: [Int] = []
        result.reserveCapacity(count)
        for index in 0..<count { result.append(Int(try sizes.uint32(at: 12 + index * 4))) }
        return result
    }

    /// Walks chunks (`stco`/`co64`) and samples per chunk (`stsc`) to where each sample's bytes lie, and counts those
    /// inside the file's media data.
    static func samplesPresent(_ table: ISOBoxBytes, sizes: [Int], mediaData: [Range<Int>]) throws(MP4IndexError)
        -> Int
    {
        var offsets: [Int] = []
        if let chunks = try table.child("stco") {
            for index in 0..<Int(try chunks.uint32(at: 4)) { offsets.append(Int(try chunks.uint32(at: 8 + index * 4))) }
        } else if let chunks = try table.child("co64") {
            for index in 0..<Int(try chunks.uint32(at: 4)) {
                offsets.append(Int(clamping: try chunks.uint64(at: 8 + index * 8)))
            }
        } else {
            throw .damaged("no chunk offsets")
        }
        guard let mapping = try table.child("stsc") else { throw .damaged("no stsc") }
        let runs = Int(try mapping.uint32(at: 4))
        var firstChunks: [Int] = []
        var perChunk: [Int] = []
        for run in 0..<runs {
            firstChunks.append(Int(try mapping.uint32(at: 8 + run * 12)))
            perChunk.append(Int(try mapping.uint32(at: 12 + run * 12)))
        }
        var sample = 0
        var present = 0
        var run = 0
        for (chunk, start) in offsets.enumerated() {
            while run + 1 < runs, firstChunks[run + 1] <= chunk + 1 { run += 1 }
            guard runs > 0 else { break }
            var offset = start
            for _ in 0..<perChunk[run] {
                guard sample < sizes.count else { throw .damaged("chunks hold more samples than stsz lists") }
                let (end, overflow) = offset.addingReportingOverflow(sizes[sample])
                guard !overflow else { throw .damaged("a sample past the largest file offset") }
                if mediaData.contains(where: { $0.lowerBound <= offset && end <= $0.upperBound }) { present += 1 }
                offset = end
                sample += 1
            }
        }
        guard sample == sizes.count else { throw .damaged("chunks hold fewer samples than stsz lists") }
        return present
    }
}
