import Foundation
import SpoolAPIModels
import SpoolCore
import Testing

/// The wire format, pinned: what the API's encoder writes for a job, a placement explanation and a problem, and that
/// the keys are the ones the OpenAPI document promises.
@Suite struct WireFormatTests {
    let t0 = Date(timeIntervalSince1970: 2_000_000)

    @Test func aProblemIsWrittenAsTheOpenAPIDocumentSays() throws {
        let problem = ProblemDetails(
            type: "https://spool.dev/problems/range", title: "The request breaks a rule", status: 400,
            detail: "priority must be 0…100", field: "priority", rule: "range")
        let json = try encoded(problem)
        #expect(
            json
                == #"{"detail":"priority must be 0…100","field":"priority","rule":"range","status":400,"#
                + #""title":"The request breaks a rule","type":"https://spool.dev/problems/range"}"#)
        #expect(try APIJSON.decoder.decode(ProblemDetails.self, from: Data(json.utf8)) == problem)
        try expectKeys(of: json, match: "Problem")

        let bare = ProblemDetails(type: "about:blank", title: "Not found", status: 404, detail: "no job job_x")
        #expect(
            try encoded(bare) == #"{"detail":"no job job_x","status":404,"title":"Not found","type":"about:blank"}"#)
    }

    @Test func aPlacementExplanationIsWrittenAsTheOpenAPIDocumentSays() throws {
        let chosen = PlacementExplanation.Candidate(
            worker: WorkerID(rawValue: "wrk_gpu_a"), pool: "gpu", device: "GPU 0 (L4)", gpu: 0, path: .nvenc,
            demand: ResourceDemand(gpuMemoryMiB: 512, encoderSessions: 1, decoderSessions: 1, slots: 1),
            refusedBy: nil, reason: nil,
            scores: [PlacementExplanation.PluginScore(plugin: "bin_pack", raw: 0.5, normalized: 50, weight: 2)],
            total: 100)
        let refused = PlacementExplanation.Candidate(
            worker: WorkerID(rawValue: "wrk_cpu_b"), pool: "cpu", device: "CPU", gpu: nil, path: nil, demand: nil,
            refusedBy: "capability", reason: "no NVENC", scores: [], total: nil)
        let explanation = PlacementExplanation(
            job: JobID(rawValue: "job_p"), decidedAt: t0, profile: "default", outcome: .placed, chosen: chosen,
            waitingReason: nil, devicesInScope: 2, devicesEvaluated: 2, feasible: 1, refusals: ["capability": 1],
            candidates: [chosen, refused])
        let json = try encoded(explanation)
        let chosenJSON =
            #"{"demand":{"decoder_sessions":1,"encoder_sessions":1,"gpu_memory_mib":512,"slots":1},"#
            + #""device":"GPU 0 (L4)","gpu":0,"path":"nvenc","pool":"gpu","#
            + #""scores":[{"normalized":50,"plugin":"bin_pack","raw":0.5,"weight":2}],"total":100,"worker":"wrk_gpu_a"}"#
        let refusedJSON =
            #"{"device":"CPU","pool":"cpu","reason":"no NVENC","refused_by":"capability","scores":[],"#
            + #""worker":"wrk_cpu_b"}"#
        #expect(
            json
                == #"{"candidates":["# + chosenJSON + "," + refusedJSON + #"],"chosen":"# + chosenJSON
                + #","decided_at":"1970-01-24T03:33:20Z","devices_evaluated":2,"devices_in_scope":2,"feasible":1,"#
                + #""job":"job_p","outcome":"placed","profile":"default","refusals":{"capability":1}}"#)
        #expect(try APIJSON.decoder.decode(PlacementExplanation.self, from: Data(json.utf8)) == explanation)
        try expectKeys(of: json, match: "PlacementExplanation")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let candidate = try #require(object["chosen"] as? [String: Any])
        try expectKeys(Set(candidate.keys), match: "PlacementCandidate")
    }

    @Test func aJobViewIsWrittenAsTheOpenAPIDocumentSays() throws {
        var job = Job(
            id: JobID(rawValue: "job_v"),
            spec: JobSpec(
                input: .file(path: "/in/a.mp4"), outputs: Presets.named("web-360p")!.outputs,
                metadata: ["customer": "acme"], preset: "web-360p", callbackURL: "https://hooks.example.com/spool"),
            now: t0)
        job.outputs = [
            OutputResult(
                name: "web", kind: .mp4, path: "web.mp4", files: ["web.mp4"], codec: "h264", width: 640, height: 360,
                durationSeconds: 12.5, sizeBytes: 1024, ssim: 0.98)
        ]
        let view = JobView(job, layout: DataLayout(root: "/data"))
        let json = try encoded(view)
        #expect(try APIJSON.decoder.decode(JobView.self, from: Data(json.utf8)) == view)
        try expectKeys(of: json, match: "Job")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["created_at"] as? String == "1970-01-24T03:33:20Z")
        #expect(object["callback_url"] as? String == "https://hooks.example.com/spool")
        #expect(object["state"] as? String == "queued")
        let outputs = try #require(object["outputs"] as? [[String: Any]])
        #expect(outputs.count == 1)
        try expectKeys(Set(outputs[0].keys), match: "OutputResult")
        let uri = try #require(outputs[0]["uri"] as? String)
        #expect(uri.hasPrefix("file:///data/") && uri.hasSuffix("/job_v/web.mp4"))
        #expect(outputs[0]["url"] as? String == "/v1/jobs/job_v/outputs/web")
        #expect(outputs[0]["size_bytes"] as? Int == 1024)
    }

    // MARK: - Helpers

    func encoded(_ value: some Encodable) throws -> String {
        String(decoding: try APIJSON.encoder.encode(value), as: UTF8.self)
    }

    func expectKeys(of json: String, match schema: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        try expectKeys(Set(object.keys), match: schema, sourceLocation: sourceLocation)
    }

    /// Every key written is a documented property, and every required property is written.
    func expectKeys(_ keys: Set<String>, match schema: String, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let (properties, required) = try OpenAPIDocument.schema(schema)
        #expect(!properties.isEmpty, "no schema \(schema) in openapi.yaml", sourceLocation: sourceLocation)
        #expect(keys.subtracting(properties).isEmpty, "undocumented keys", sourceLocation: sourceLocation)
        #expect(required.subtracting(keys).isEmpty, "required keys missing", sourceLocation: sourceLocation)
    }
}

/// Just enough of Sources/SpoolHTTP/Resources/openapi.yaml to read a schema's property names and required list.
enum OpenAPIDocument {
    static func schema(_ name: String) throws -> (properties: Set<String>, required: Set<String>) {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/SpoolHTTP/Resources/openapi.yaml")
        let lines = try String(contentsOf: url, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        guard let schemas = lines.firstIndex(of: "  schemas:"),
            let start = lines[schemas...].firstIndex(of: "    \(name):")
        else { return ([], []) }
        var properties: Set<String> = []
        var required: Set<String> = []
        for line in lines[(start + 1)...] {
            let indent = line.prefix { $0 == " " }.count
            if !line.trimmingCharacters(in: .whitespaces).isEmpty && indent <= 4 { break }
            let text = line.dropFirst(indent)
            if indent == 6, text.hasPrefix("required: [") {
                required = Set(
                    text.dropFirst("required: [".count).prefix { $0 != "]" }.split(separator: ",").map {
                        $0.trimmingCharacters(in: .whitespaces)
                    })
            } else if indent == 8, let colon = text.firstIndex(of: ":") {
                properties.insert(String(text[..<colon]))
            }
        }
        return (properties, required)
    }
}
