import Testing

@testable import SpoolMedia

@Suite("playlists, SSIM lines, line splitting")
struct SmallPartsTests {
    @Test func masterAndMediaPlaylists() throws {
        let master = try #require(
            HLSPlaylist.parse(
                """
                #EXTM3U
                #EXT-X-VERSION:6
                #EXT-X-STREAM-INF:BANDWIDTH=985600,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2"
                r0/index.m3u8

                #EXT-X-STREAM-INF:BANDWIDTH=220000,RESOLUTION=320x180,CODECS="avc1.64000c"
                r1/index.m3u8
                """))
        #expect(master.uris == ["r0/index.m3u8", "r1/index.m3u8"])
        let media = try #require(
            HLSPlaylist.parse(
                """
                #EXTM3U
                #EXT-X-TARGETDURATION:2
                #EXTINF:2.000000,
                seg_00000.ts
                #EXTINF:1.040000,
                seg_00001.ts
                #EXT-X-ENDLIST
                """))
        #expect(media.uris == ["seg_00000.ts", "seg_00001.ts"])
        #expect(abs(media.totalDuration - 3.04) < 1e-9)
        #expect(media.hasEndList)
        #expect(HLSPlaylist.parse("not a playlist") == nil)
        #expect(!HLSPlaylist.isLocalRelative("../secret.ts") && !HLSPlaylist.isLocalRelative("/etc/passwd"))
        #expect(!HLSPlaylist.isLocalRelative("file:///etc/passwd") && HLSPlaylist.isLocalRelative("seg_00001.ts"))
    }

    @Test func ssimSummaryLine() {
        let stderr = """
            Stream mapping:
              Stream #0:0 (h264) -> setpts
            [Parsed_ssim_10 @ 0x55d] SSIM Y:0.991234 (20.567) U:0.988 (19.2) V:0.987 (18.9) All:0.989876 (19.946)
            """
        #expect(SSIMMeter.parse(stderr: stderr) == 0.989876)
        #expect(SSIMMeter.parse(stderr: "no summary") == nil)
    }

    @Test func ssimComparesSampledFramesAndGuardsTheSourceInput() {
        let arguments = SSIMMeter.arguments(
            output: "/staging/small.mp4", source: "/in/source.mp4", size: FrameSize(width: 426, height: 240))
        let sample = "setpts=PTS-STARTPTS,fps=4,scale=426:240,format=yuv420p"
        #expect(
            arguments == [
                "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info",
                "-threads", "1", "-i", "file:/staging/small.mp4",
                "-protocol_whitelist", "file,pipe", "-format_whitelist", MediaInfo.inputFormatWhitelist,
                "-threads", "1", "-i", "file:/in/source.mp4",
                "-filter_complex", "[0:v:0]\(sample)[out];[1:v:0]\(sample)[ref];[out][ref]ssim",
                "-filter_complex_threads", "1", "-an", "-f", "null", "-",
            ])
        let windowed = SSIMMeter.arguments(
            output: "/staging/small.mp4", source: "/in/source.mp4", size: FrameSize(width: 426, height: 240),
            duration: 60)
        #expect(windowed.filter { $0 == "-ss" }.count == 2)
        #expect(windowed[windowed.firstIndex(of: "-ss")! + 1] == "29.700")
        #expect(windowed[windowed.firstIndex(of: "-t")! + 1] == "0.600")
        let short = SSIMMeter.arguments(
            output: "/staging/small.mp4", source: "/in/source.mp4", size: FrameSize(width: 426, height: 240),
            duration: 6)
        #expect(!short.contains("-ss"))
        #expect(short[short.firstIndex(of: "-t")! + 1] == "0.100")
        #expect(SSIMMeter.window(duration: 3600) == (1795, 10))
    }

    @Test func linesAreSplitOnNewlinesAndCarriageReturnsAndCapped() {
        var splitter = LineSplitter(maxLineBytes: 8)
        let bytes = Array("frame=1\nfps=0.00\r\nprogress=continue\nout_t".utf8)
        let lines = bytes.withUnsafeBytes { splitter.append($0) }
        #expect(lines == ["frame=1", "fps=0.00", "progress"])
        #expect(splitter.finish() == "out_t")
        #expect(splitter.finish() == nil)
    }

    @Test func tailKeepsTheLastNonBlankLines() {
        let tail = LineTail(limit: 2)
        for line in ["a", "", "b", "  ", "c"] { tail.append(line) }
        #expect(tail.snapshot == ["b", "c"])
    }
}
