import Foundation
import SpoolCore

/// Reads OpenCL devices from `clinfo -l`, or from what `ffmpeg -v verbose -init_hw_device opencl` logs when clinfo
/// is not installed.
public enum OpenCLDeviceList {
    /// `clinfo -l`:
    /// ```
    /// Platform #0: Portable Computing Language
    ///  `-- Device #0: pthread-skylake-avx512-AMD EPYC
    /// ```
    public static func parse(clinfoList text: String) -> [OpenCLDevice] {
        var devices: [OpenCLDevice] = []
        var platform: (index: Int, name: String)?
        for line in text.split(whereSeparator: \.isNewline) {
            if let (index, name) = numbered(line, marker: "Platform #") {
                platform = (index, name)
            } else if let (index, name) = numbered(line, marker: "Device #"), let platform {
                devices.append(
                    OpenCLDevice(platformIndex: platform.index, deviceIndex: index, platform: platform.name, name: name)
                )
            }
        }
        return devices
    }

    /// ffmpeg's verbose device log: `[AVHWDeviceContext @ 0x…] 0.0: Portable Computing Language / pthread-…`.
    public static func parse(ffmpegVerboseLog text: String) -> [OpenCLDevice] {
        var devices: [OpenCLDevice] = []
        for line in text.split(whereSeparator: \.isNewline) where line.contains("AVHWDeviceContext") {
            guard let close = line.firstIndex(of: "]") else { continue }
            let rest = line[line.index(after: close)...].drop { $0 == " " }
            guard let colon = rest.firstIndex(of: ":") else { continue }
            let selector = rest[..<colon].split(separator: ".")
            guard selector.count == 2, let platformIndex = Int(selector[0]), let deviceIndex = Int(selector[1]) else {
                continue
            }
            let names = rest[rest.index(after: colon)...].components(separatedBy: " / ")
            guard names.count == 2 else { continue }
            devices.append(
                OpenCLDevice(
                    platformIndex: platformIndex, deviceIndex: deviceIndex,
                    platform: names[0].trimmingCharacters(in: .whitespaces),
                    name: names[1].trimmingCharacters(in: .whitespaces)))
        }
        return devices
    }

    /// "Platform #1: NVIDIA CUDA" → (1, "NVIDIA CUDA"); works after clinfo's tree characters too.
    private static func numbered(_ line: Substring, marker: String) -> (Int, String)? {
        guard let range = line.range(of: marker) else { return nil }
        let rest = line[range.upperBound...]
        guard let colon = rest.firstIndex(of: ":"), let index = Int(rest[..<colon]) else { return nil }
        return (index, rest[rest.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }
}
