import Foundation

/// Reads the listings `ffmpeg -hide_banner -encoders / -decoders / -filters / -hwaccels` and `-version` print.
public enum FFmpegCapabilityParser {
    /// Names from `-encoders` or `-decoders`: rows after the " ------" rule, "FLAGS name description".
    public static func codecs(fromListing text: String) -> Set<String> {
        var names = Set<String>()
        var pastRule = false
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard let first = fields.first else { continue }
            if !pastRule {
                pastRule = first.allSatisfy { $0 == "-" } && first.count >= 3
                continue
            }
            guard fields.count >= 2, first.count == 6, first.allSatisfy({ "VASDFXBI.".contains($0) }) else { continue }
            names.insert(String(fields[1]))
        }
        return names
    }

    /// Names from `-filters`: rows "FLAGS name IN->OUT description". The legend above them has "=" instead of
    /// an arrow.
    public static func filters(fromListing text: String) -> Set<String> {
        var names = Set<String>()
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard fields.count >= 3, fields[0].count == 3, fields[0].allSatisfy({ "TSC.".contains($0) }),
                fields[2].contains("->")
            else { continue }
            names.insert(String(fields[1]))
        }
        return names
    }

    /// Names from `-hwaccels`: one per line after "Hardware acceleration methods:".
    public static func hwaccels(fromListing text: String) -> Set<String> {
        var names = Set<String>()
        var inList = false
        for line in text.split(whereSeparator: \.isNewline) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("Hardware acceleration methods") {
                inList = true
            } else if inList, !trimmed.isEmpty, !trimmed.contains(" ") {
                names.insert(trimmed)
            }
        }
        return names
    }

    /// "5.1.9-0+deb12u1" from "ffmpeg version 5.1.9-0+deb12u1 Copyright (c) …".
    public static func version(fromVersionOutput text: String) -> String? {
        guard let firstLine = text.split(whereSeparator: \.isNewline).first else { return nil }
        let fields = firstLine.split(separator: " ")
        guard let index = fields.firstIndex(of: "version"), index + 1 < fields.count else { return nil }
        return String(fields[index + 1])
    }
}
