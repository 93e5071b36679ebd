import Foundation
import SpoolCore

/// A placement as the `pl` field of a job hash holds it: the JSON `StoredJSON` would write (the job body carries
/// the same value once the job is claimed), built by hand because a cycle writes hundreds of them at once and
/// Foundation's encoder costs more than the rest of the commit.
enum PlacementRecord {
    static func encode(_ placement: JobPlacement) -> String {
        let demand = placement.demand
        var json = "{\"demand\":{\"decoder_sessions\":\(demand.decoderSessions),"
        json += "\"encoder_sessions\":\(demand.encoderSessions),\"gpu_memory_mib\":\(demand.gpuMemoryMiB),"
        json += "\"slots\":\(demand.slots)}"
        if let model = placement.deviceModel { json += ",\"device_model\":" + quoted(model) }
        if let gpu = placement.gpu { json += ",\"gpu\":\(gpu)" }
        json += ",\"path\":\"" + placement.path.rawValue + "\""
        // Dates as StoredJSON writes them: seconds since 2001, every digit kept.
        json += ",\"placed_at\":\(placement.placedAt.timeIntervalSinceReferenceDate)"
        json += ",\"pool\":" + quoted(placement.pool)
        json += ",\"scheduler_token\":\(placement.schedulerToken)"
        json += ",\"score\":" + number(placement.score)
        json += ",\"worker\":" + quoted(placement.worker.rawValue) + "}"
        return json
    }

    static func number(_ value: Double) -> String {
        value.isFinite ? "\(value)" : (value.isNaN ? "\"nan\"" : (value > 0 ? "\"+inf\"" : "\"-inf\""))
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let control where control.value < 0x20:
                out +=
                    "\\u" + String(repeating: "0", count: 4 - String(control.value, radix: 16).count)
                    + String(control.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
