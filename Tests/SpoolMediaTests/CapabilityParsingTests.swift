import SpoolCore
import Testing

@testable import SpoolMedia

@Suite("ffmpeg capability and OpenCL listings")
struct CapabilityParsingTests {
    @Test func encodersFromDebianBuild() throws {
        let encoders = FFmpegCapabilityParser.codecs(
            fromListing: try Fixture.text("ffmpeg/encoders-5.1.9-debian12.txt"))
        for name in ["libx264", "libx265", "h264_nvenc", "hevc_nvenc", "aac", "mjpeg", "h264_vaapi", "libsvtav1"] {
            #expect(encoders.contains(name), "\(name)")
        }
        #expect(!encoders.contains("av1_nvenc"))
        #expect(!encoders.contains("="))
        #expect(encoders.count > 150)
    }

    @Test func decodersFromDebianBuild() throws {
        let decoders = FFmpegCapabilityParser.codecs(
            fromListing: try Fixture.text("ffmpeg/decoders-5.1.9-debian12.txt"))
        for name in ["h264", "hevc", "h264_cuvid", "hevc_cuvid", "vp9", "libdav1d", "aac"] {
            #expect(decoders.contains(name), "\(name)")
        }
    }

    @Test func filtersFromDebianBuild() throws {
        let filters = FFmpegCapabilityParser.filters(fromListing: try Fixture.text("ffmpeg/filters-5.1.9-debian12.txt"))
        for name in ["scale", "split", "fps", "ssim", "scale_cuda", "hwupload", "hwdownload", "unsharp_opencl"] {
            #expect(filters.contains(name), "\(name)")
        }
        #expect(!filters.contains("scale_opencl") && !filters.contains("scale_npp"))
        #expect(!filters.contains("T..") && !filters.contains("="))
    }

    @Test func hwaccelsFromDebianBuild() throws {
        let hwaccels = FFmpegCapabilityParser.hwaccels(
            fromListing: try Fixture.text("ffmpeg/hwaccels-5.1.9-debian12.txt"))
        #expect(hwaccels == ["vdpau", "cuda", "vaapi", "qsv", "drm", "opencl", "vulkan"])
    }

    @Test func versions() throws {
        #expect(
            FFmpegCapabilityParser.version(
                fromVersionOutput: try Fixture.text("ffmpeg/ffmpeg-version-5.1.9-debian12.txt"))
                == "5.1.9-0+deb12u1")
        #expect(
            FFmpegCapabilityParser.version(
                fromVersionOutput: try Fixture.text("ffmpeg/ffprobe-version-5.1.9-debian12.txt"))
                == "5.1.9-0+deb12u1")
        #expect(FFmpegCapabilityParser.version(fromVersionOutput: "") == nil)
    }

    @Test func clinfoWithPoCL() throws {
        let devices = OpenCLDeviceList.parse(clinfoList: try Fixture.text("opencl/clinfo-l-pocl.txt"))
        #expect(
            devices == [
                OpenCLDevice(
                    platformIndex: 0, deviceIndex: 0, platform: "Portable Computing Language",
                    name: "pthread-skylake-avx512-AMD EPYC")
            ])
        #expect(devices.first?.selector == "0.0")
    }

    @Test func clinfoWithThreePlatforms() throws {
        let devices = OpenCLDeviceList.parse(clinfoList: try Fixture.text("opencl/clinfo-l-three-platforms.txt"))
        #expect(devices.map(\.selector) == ["0.0", "1.0", "2.0", "2.1"])
        #expect(devices[1].name == "Intel(R) UHD Graphics 630 [0x3e92]")
        #expect(devices[3].platform == "Portable Computing Language")
        #expect(devices[3].name == "cpu-minimal-Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz")
    }

    @Test func ffmpegVerboseDeviceLog() throws {
        let devices = OpenCLDeviceList.parse(
            ffmpegVerboseLog: try Fixture.text("opencl/ffmpeg-verbose-init-opencl-pocl.txt"))
        #expect(
            devices == [
                OpenCLDevice(
                    platformIndex: 0, deviceIndex: 0, platform: "Portable Computing Language",
                    name: "pthread-skylake-avx512-AMD EPYC")
            ])
    }
}
