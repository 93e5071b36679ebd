import Foundation

extension JobRequest {
    public static let maxOutputs = 16
    static let namePattern = Array("abcdefghijklmnopqrstuvwxyz0123456789_-")

    /// Checks every rule and builds the spec. The first broken rule is thrown, naming its field.
    /// - Parameter retention: the tenant's (else the server's) windows; the request's `retain_days` overrides the
    ///   first.
    public func validate(
        policy: InputPolicy, tenant: TenantID = .default, retention: RetentionPolicy = .standard
    ) throws(SpecError) -> JobSpec {
        guard let input, !input.isEmpty else {
            throw SpecError(
                field: "input", rule: "required", message: "give the input as a file://, http(s):// or upload: URI")
        }
        let source = try Self.parseInput(input, policy: policy)

        let outputs: [OutputSpec]
        switch (self.outputs, preset) {
        case (.some, .some):
            throw SpecError(field: "preset", rule: "exclusive", message: "give either outputs or a preset, not both")
        case (nil, nil):
            throw SpecError(
                field: "outputs", rule: "required", message: "give outputs or a preset (GET /v1/presets lists them)")
        case (let list?, nil):
            outputs = list
        case (nil, let name?):
            guard let preset = Presets.named(name) else {
                let names = Presets.all.map(\.name).joined(separator: ", ")
                throw SpecError(
                    field: "preset", rule: "unknown_preset", message: "no preset named '\(name)'; known: \(names)")
            }
            outputs = preset.outputs
        }
        try Self.validate(outputs: outputs)

        let priority = self.priority ?? 50
        guard (0...100).contains(priority) else {
            throw SpecError(field: "priority", rule: "range", message: "priority must be 0…100, got \(priority)")
        }
        if let pool, pool.isEmpty || pool.count > 64 || !pool.allSatisfy(Self.namePattern.contains) {
            throw SpecError(field: "pool", rule: "name", message: "pool names are 1–64 characters of a-z, 0-9, _ and -")
        }
        if let key = idempotencyKey, key.isEmpty || key.count > 200 {
            throw SpecError(
                field: "idempotency_key", rule: "length", message: "idempotency_key must be 1–200 characters")
        }
        if let key = idempotencyKey, key.hasPrefix(JobSpec.segmentTaskKeyPrefix) {
            throw SpecError(
                field: "idempotency_key", rule: "reserved",
                message:
                    "idempotency keys starting with \(JobSpec.segmentTaskKeyPrefix) are Spool's own; choose another")
        }
        let metadata = self.metadata ?? [:]
        guard metadata.count <= 32 else {
            throw SpecError(field: "metadata", rule: "size", message: "at most 32 metadata entries")
        }
        for (key, value) in metadata where key.isEmpty || key.count > 64 || value.count > 1024 {
            throw SpecError(
                field: "metadata.\(key)", rule: "size",
                message: "metadata keys are 1–64 characters, values at most 1024")
        }
        if let callbackURL { try Self.validate(callbackURL: callbackURL) }
        if let retainDays { try RetentionPolicy.validate(days: retainDays, field: "retain_days") }
        try segmenting?.validate()
        return JobSpec(
            tenant: tenant, serviceClass: serviceClass ?? .standard, input: source, outputs: outputs,
            priority: priority, pool: pool, idempotencyKey: idempotencyKey, metadata: metadata, preset: preset,
            acceleration: acceleration ?? .auto, callbackURL: callbackURL, degradation: degradation,
            retention: retention.overridden(days: retainDays), segmenting: segmenting ?? .standard)
    }

    /// The lexical rules for a callback URL; its host is checked against internal addresses at submission and
    /// again before every delivery, since DNS changes.
    static func validate(callbackURL: String) throws(SpecError) {
        guard callbackURL.utf8.count <= 2048, let url = URLComponents(string: callbackURL),
            let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            throw SpecError(
                field: "callback_url", rule: "uri",
                message: "callback_url must be an http:// or https:// URL with a host, at most 2048 bytes")
        }
        guard url.user == nil, url.password == nil else {
            throw SpecError(
                field: "callback_url", rule: "credentials",
                message: "callback_url may not carry a user or password; verify deliveries by their signature")
        }
    }

    /// `s3://BUCKET/KEY`: a plain key (no empty, `.` or `..` segment) under a prefix the policy allows.
    static func parseObject(_ rest: String, policy: InputPolicy) throws(SpecError) -> InputSource {
        guard let slash = rest.firstIndex(of: "/") else {
            throw SpecError(
                field: "input", rule: "uri", message: "s3:// inputs name a bucket and a key: s3://BUCKET/KEY")
        }
        let bucket = String(rest[..<slash])
        let key = String(rest[rest.index(after: slash)...])
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !bucket.isEmpty, !key.isEmpty, !key.contains("\0"),
            segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
        else {
            throw SpecError(
                field: "input", rule: "path_traversal",
                message: "s3:// keys may not be empty or hold empty, '.' or '..' segments")
        }
        guard policy.allowsObject(bucket: bucket, key: key) else {
            throw SpecError(
                field: "input", rule: "input_root",
                message: policy.objectInputPrefixes.isEmpty
                    ? "this server accepts no s3:// inputs (its storage is not a bucket); upload the file"
                    : "s3://\(bucket)/\(key) is outside what this caller may read (s3://"
                        + policy.objectInputPrefixes.joined(separator: "…, s3://") + "…)")
        }
        return .object(bucket: bucket, key: key)
    }

    static func parseInput(_ uri: String, policy: InputPolicy) throws(SpecError) -> InputSource {
        if let rest = uri.removingPrefix("upload:") {
            let id = UploadID(rawValue: rest)
            guard id.isWellFormed else {
                throw SpecError(
                    field: "input", rule: "upload_id", message: "'\(rest)' is not an upload ID from POST /v1/uploads")
            }
            return .upload(id)
        }
        if let rest = uri.removingPrefix("file://") {
            if !rest.hasPrefix("/") {
                let host = rest.prefix { $0 != "/" }
                throw SpecError(
                    field: "input", rule: "file_host",
                    message: host.isEmpty
                        ? "a file:// input needs an absolute path: file:///PATH (three slashes)"
                        : "file:// inputs name a path on the server, not a host: write file:///PATH (three slashes) "
                            + "instead of file://\(host)/PATH")
            }
            guard let path = PathRules.normalize(rest) else {
                throw SpecError(
                    field: "input", rule: "path_traversal",
                    message: "file:// inputs need an absolute path without '..', NUL or percent-encoded separators")
            }
            guard policy.isUnderInputRoot(path) else {
                throw SpecError(
                    field: "input", rule: "input_root",
                    message: policy.inputRoots.isEmpty
                        ? "this server accepts no file:// inputs; start it with --input-root DIR or upload the file"
                        : "'\(path)' is outside the input roots (\(policy.inputRoots.joined(separator: ", ")))")
            }
            return .file(path: path)
        }
        if let rest = uri.removingPrefix("s3://") {
            return try parseObject(rest, policy: policy)
        }
        guard let components = URLComponents(string: uri), let scheme = components.scheme?.lowercased() else {
            throw SpecError(
                field: "input", rule: "uri", message: "'\(uri)' is not a URI; use file://, http(s):// or upload:")
        }
        guard scheme == "http" || scheme == "https" else {
            throw SpecError(
                field: "input", rule: "scheme",
                message: "scheme '\(scheme)' is not accepted; use file://, http(s):// or upload:")
        }
        guard let host = components.host, !host.isEmpty else {
            throw SpecError(field: "input", rule: "uri", message: "the URL has no host")
        }
        if !policy.allowPrivateNetworks {
            if NetworkAddressRules.isIPLiteral(host) && NetworkAddressRules.isInternal(host)
                || host.lowercased() == "localhost"
                || host.lowercased().hasSuffix(".localhost")
            {
                throw SpecError(
                    field: "input", rule: "private_address",
                    message: "'\(host)' is a loopback, private or link-local address, which this server does not fetch")
            }
        }
        return .http(url: uri)
    }

    static func validate(outputs: [OutputSpec]) throws(SpecError) {
        guard !outputs.isEmpty else {
            throw SpecError(field: "outputs", rule: "required", message: "give at least one output")
        }
        guard outputs.count <= maxOutputs else {
            throw SpecError(field: "outputs", rule: "size", message: "at most \(maxOutputs) outputs per job")
        }
        var seen = Set<String>()
        for (index, output) in outputs.enumerated() {
            let field = "outputs[\(index)]"
            guard !output.name.isEmpty, output.name.count <= 64, output.name.allSatisfy(namePattern.contains),
                output.name.first != "-"
            else {
                throw SpecError(
                    field: field + ".name", rule: "name",
                    message: "output names are 1–64 characters of a-z, 0-9, _ and -")
            }
            guard seen.insert(output.name).inserted else {
                throw SpecError(
                    field: field + ".name", rule: "unique", message: "output name '\(output.name)' is used twice")
            }
            switch output.format {
            case .mp4(let video, let audio):
                try validate(video: video, field: field + ".video")
                try validate(audio: audio, field: field + ".audio")
            case .hls(let renditions, let segmentSeconds):
                guard (1...8).contains(renditions.count) else {
                    throw SpecError(
                        field: field + ".renditions", rule: "size", message: "an HLS ladder has 1–8 renditions")
                }
                guard (1...30).contains(segmentSeconds) else {
                    throw SpecError(
                        field: field + ".segment_seconds", rule: "range", message: "segment_seconds must be 1…30")
                }
                for (r, rendition) in renditions.enumerated() {
                    try validate(video: rendition.video, field: field + ".renditions[\(r)].video")
                    try validate(audio: rendition.audio, field: field + ".renditions[\(r)].audio")
                }
            case .thumbnails(let every, let count, let height):
                switch (every, count) {
                case (nil, nil), (.some, .some):
                    throw SpecError(
                        field: field, rule: "thumbnail_mode", message: "give exactly one of every_seconds or count")
                case (let every?, nil) where !(0.1...3600).contains(every):
                    throw SpecError(
                        field: field + ".every_seconds", rule: "range", message: "every_seconds must be 0.1…3600")
                case (nil, let count?) where !(1...1000).contains(count):
                    throw SpecError(field: field + ".count", rule: "range", message: "count must be 1…1000")
                default: break
                }
                try validateDimension(height, field: field + ".height")
            }
        }
    }

    static func validate(video: VideoSettings, field: String) throws(SpecError) {
        if let width = video.width { try validateDimension(width, field: field + ".width") }
        if let height = video.height { try validateDimension(height, field: field + ".height") }
        if let bitrate = video.bitrateKbps, !(50...200_000).contains(bitrate) {
            throw SpecError(field: field + ".bitrate_kbps", rule: "range", message: "bitrate_kbps must be 50…200000")
        }
        if let crf = video.crf, !(0...51).contains(crf) {
            throw SpecError(field: field + ".crf", rule: "range", message: "crf must be 0…51")
        }
        if video.crf != nil && video.bitrateKbps != nil {
            throw SpecError(field: field + ".crf", rule: "exclusive", message: "give crf or bitrate_kbps, not both")
        }
        if let fps = video.fps, !(1...240).contains(fps) {
            throw SpecError(field: field + ".fps", rule: "range", message: "fps must be 1…240")
        }
    }

    static func validate(audio: AudioSettings, field: String) throws(SpecError) {
        if let bitrate = audio.bitrateKbps, !(16...512).contains(bitrate) {
            throw SpecError(field: field + ".bitrate_kbps", rule: "range", message: "audio bitrate_kbps must be 16…512")
        }
    }

    static func validateDimension(_ value: Int, field: String) throws(SpecError) {
        guard (16...7680).contains(value), value % 2 == 0 else {
            throw SpecError(
                field: field, rule: "dimension", message: "sizes must be even and 16…7680 pixels, got \(value)")
        }
    }
}
