import SpoolCore

/// GPU memory an ffmpeg run needs, from first principles: a CUDA context, the decoder's surface pool, and per
/// encode its surface pool and encoder state. With the defaults a 1080p → 1080p NVENC transcode comes to about
/// 420 MiB, inside the 0.3–0.5 GB measured per 1080p session (shared notes, ffmpeg.md §6).
public struct MemoryModel: Codable, Sendable, Equatable {
    public var cudaContextMiB: Int
    public var decodeSurfaces: Int
    public var encodeSurfaces: Int
    /// Frames scale_cuda keeps per output when the encode happens on the host.
    public var scaleSurfaces: Int
    public var encoderStateMiB: Int
    /// NV12: 1.5 bytes per pixel.
    public var bytesPerPixel: Double

    public init(
        cudaContextMiB: Int = 250, decodeSurfaces: Int = 20, encodeSurfaces: Int = 16, scaleSurfaces: Int = 4,
        encoderStateMiB: Int = 60, bytesPerPixel: Double = 1.5
    ) {
        self.cudaContextMiB = cudaContextMiB
        self.decodeSurfaces = decodeSurfaces
        self.encodeSurfaces = encodeSurfaces
        self.scaleSurfaces = scaleSurfaces
        self.encoderStateMiB = encoderStateMiB
        self.bytesPerPixel = bytesPerPixel
    }

    public static let `default` = MemoryModel()

    public func memoryMiB(for shape: WorkloadShape, path: DevicePath) -> Int {
        func mib(_ pixels: Int, _ surfaces: Int) -> Int {
            Int((Double(pixels) * bytesPerPixel * Double(surfaces) / 1_048_576).rounded(.up))
        }
        switch path {
        case .nvenc:
            return cudaContextMiB + mib(shape.inputPixels, decodeSurfaces) + mib(shape.outputPixels, encodeSurfaces)
                + encoderStateMiB * shape.videoEncodes
        case .nvdec:
            return cudaContextMiB + mib(shape.inputPixels, decodeSurfaces) + mib(shape.outputPixels, scaleSurfaces)
        case .opencl, .cpu:
            return 0
        }
    }

    enum CodingKeys: String, CodingKey {
        case cudaContextMiB = "cuda_context_mib"
        case decodeSurfaces = "decode_surfaces"
        case encodeSurfaces = "encode_surfaces"
        case scaleSurfaces = "scale_surfaces"
        case encoderStateMiB = "encoder_state_mib"
        case bytesPerPixel = "bytes_per_pixel"
    }
}
