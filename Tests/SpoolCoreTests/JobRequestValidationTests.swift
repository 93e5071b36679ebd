import Foundation
import Testing

@testable import SpoolCore

@Suite struct JobRequestValidationTests {
    let policy = InputPolicy(inputRoots: ["/srv/in"])

    func decode(_ json: String) throws -> JobRequest {
        try JSONDecoder().decode(JobRequest.self, from: Data(json.utf8))
    }

    func rule(of request: JobRequest) -> (field: String, rule: String)? {
        do {
            _ = try request.validate(policy: policy)
            return nil
        } catch {
            return (error.field, error.rule)
        }
    }

    @Test func theIssueExampleValidates() throws {
        let request = try decode(
            """
            {"input": "file:///srv/in/talk.mp4", "outputs": [{"name": "small", "kind": "mp4",
            "video": {"codec": "h264", "height": 240}, "audio": {"codec": "aac"}}, {"name": "thumbs", "kind":
            "thumbnails", "every_seconds": 1, "height": 90}]}
            """)
        let spec = try request.validate(policy: policy)
        #expect(spec.input == .file(path: "/srv/in/talk.mp4"))
        #expect(spec.priority == 50)
        #expect(spec.tenant == .default)
        #expect(spec.serviceClass == .standard)
        #expect(spec.outputs.count == 2)
        #expect(spec.outputs[0].format == .mp4(video: VideoSettings(codec: .h264, height: 240), audio: AudioSettings()))
        #expect(spec.outputs[1].format == .thumbnails(everySeconds: 1, count: nil, height: 90))
    }

    @Test func outputSpecsRoundTripThroughJSON() throws {
        for preset in Presets.all {
            let data = try JSONEncoder().encode(preset.outputs)
            #expect(try JSONDecoder().decode([OutputSpec].self, from: data) == preset.outputs)
        }
    }

    @Test func presetsExpand() throws {
        let spec = try JobRequest(input: "upload:upl_abc123", preset: "hls-ladder").validate(policy: policy)
        #expect(spec.outputs == Presets.named("hls-ladder")!.outputs)
        #expect(spec.input == .upload(UploadID(rawValue: "upl_abc123")))
    }

    @Test(arguments: [
        ("file:///etc/passwd", "input", "input_root"),
        ("file:///srv/in/../../etc/passwd", "input", "path_traversal"),
        ("file:///srv/in/%2e%2e/x", "input", "path_traversal"),
        ("file://relative/x.mp4", "input", "file_host"),
        ("file:///srv/inside-not/x.mp4", "input", "input_root"),
        ("http://127.0.0.1:8080/a.mp4", "input", "private_address"),
        ("http://localhost/a.mp4", "input", "private_address"),
        ("http://169.254.169.254/latest", "input", "private_address"),
        ("http://10.1.2.3/a.mp4", "input", "private_address"),
        ("http://[::1]/a.mp4", "input", "private_address"),
        ("ftp://example.com/a.mp4", "input", "scheme"),
        ("concat:/a|/b", "input", "scheme"),
        ("upload:../../x", "input", "upload_id"),
    ])
    func badInputsAreRefusedByRule(uri: String, field: String, rule: String) {
        let result = self.rule(of: JobRequest(input: uri, preset: "web-360p"))
        #expect(result?.field == field)
        #expect(result?.rule == rule)
    }

    @Test func privateAddressesPassWhenAllowed() throws {
        let open = InputPolicy(allowPrivateNetworks: true)
        let spec = try JobRequest(input: "http://127.0.0.1:9/a.mp4", preset: "web-360p").validate(policy: open)
        #expect(spec.input == .http(url: "http://127.0.0.1:9/a.mp4"))
    }

    @Test func outputRulesNameTheField() throws {
        let cases: [(String, String, String)] = [
            (
                #"{"input":"upload:upl_a","outputs":[{"name":"a","kind":"mp4","video":{"height":241}}]}"#,
                "outputs[0].video.height", "dimension"
            ),
            (
                #"{"input":"upload:upl_a","outputs":[{"name":"a","kind":"mp4","video":{"crf":60}}]}"#,
                "outputs[0].video.crf", "range"
            ),
            (
                #"{"input":"upload:upl_a","outputs":[{"name":"a","kind":"mp4"},{"name":"a","kind":"mp4"}]}"#,
                "outputs[1].name", "unique"
            ),
            (#"{"input":"upload:upl_a","outputs":[{"name":"../x","kind":"mp4"}]}"#, "outputs[0].name", "name"),
            (
                #"{"input":"upload:upl_a","outputs":[{"name":"t","kind":"thumbnails","height":90}]}"#, "outputs[0]",
                "thumbnail_mode"
            ),
            (#"{"input":"upload:upl_a","outputs":[]}"#, "outputs", "required"),
            (#"{"input":"upload:upl_a"}"#, "outputs", "required"),
            (#"{"input":"upload:upl_a","preset":"nope"}"#, "preset", "unknown_preset"),
            (#"{"input":"upload:upl_a","preset":"web-720p","priority":101}"#, "priority", "range"),
            (#"{"preset":"web-720p"}"#, "input", "required"),
        ]
        for (json, field, rule) in cases {
            let result = self.rule(of: try decode(json))
            #expect(result?.field == field, "\(json)")
            #expect(result?.rule == rule, "\(json)")
        }
    }

    @Test func pathNormalization() {
        #expect(PathRules.normalize("/a/./b//c") == "/a/b/c")
        #expect(PathRules.normalize("/a/../b") == nil)
        #expect(PathRules.normalize("a/b") == nil)
        #expect(PathRules.normalize("/a\0b") == nil)
    }
}

@Suite struct SegmentingRequestValidationTests {
    let policy = InputPolicy(inputRoots: ["/srv/in"])

    @Test func segmentingIsCheckedAndDefaultsToAuto() throws {
        let plain = JobRequest(input: "file:///srv/in/film.mp4", preset: "web-720p")
        #expect(try plain.validate(policy: policy).segmenting == SegmentingRequest(mode: .auto, seconds: 30))
        var asked = plain
        asked.segmenting = SegmentingRequest(mode: .on, seconds: 1)
        do {
            _ = try asked.validate(policy: policy)
            Issue.record("1-second segments were accepted")
        } catch {
            #expect(error.field == "segmenting.seconds" && error.rule == "range")
        }
        asked.segmenting = try JSONDecoder().decode(SegmentingRequest.self, from: Data(#"{"mode": "off"}"#.utf8))
        #expect(try asked.validate(policy: policy).segmenting == SegmentingRequest(mode: .off, seconds: 30))
    }

    @Test func segmentTaskKeysAreReserved() {
        var request = JobRequest(input: "file:///srv/in/film.mp4", preset: "web-720p")
        request.idempotencyKey = "spool-segment:job_x:s0-o0-r0"
        do {
            _ = try request.validate(policy: policy)
            Issue.record("a reserved idempotency key was accepted")
        } catch {
            #expect(error.field == "idempotency_key" && error.rule == "reserved")
        }
    }
}
