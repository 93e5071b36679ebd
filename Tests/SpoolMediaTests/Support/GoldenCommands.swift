/// Exact argv the builder must produce. The CPU and OpenCL ones were run through ffmpeg 5.1.9 on a 640x360 clip and
/// produced every planned file; the CUDA ones follow NVIDIA's documented full-GPU pipeline and could not be run here.
enum GoldenCommands {
    static let cpuGraph = """
        [0:v:0]split=6[s0][s1][s2][s3][s4][s5];\
        [s0]scale=426:240,format=yuv420p[v0];\
        [s1]fps=12.5,scale=320:180,format=yuv420p[v1];\
        [s2]scale=640:360,format=yuv420p[v2];\
        [s3]scale=320:180,format=yuv420p[v3];\
        [s4]fps=1/1,scale=160:90:out_range=pc,format=yuv420p[v4];\
        [s5]fps=4/3,scale=128:72:out_range=pc,format=yuv420p[v5]
        """

    static let cpu: [String] = [
        "-hide_banner", "-nostdin", "-nostats", "-loglevel", "warning", "-progress", "pipe:1", "-y",
        "-protocol_whitelist", "file,pipe",
        "-format_whitelist", "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,flv",
        "-i", "file:/in/source.mp4",
        "-filter_complex", cpuGraph,
        "-map", "[v0]", "-map", "0:a:0", "-c:v", "libx264", "-preset:v", "veryfast", "-crf:v", "23",
        "-fps_mode", "vfr", "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", "-f", "mp4",
        "/staging/job-1/small.mp4",
        "-map", "[v1]", "-c:v", "libx265", "-preset:v", "veryfast", "-x265-params:v", "log-level=error",
        "-b:v", "300k", "-maxrate:v", "300k", "-bufsize:v", "600k", "-tag:v", "hvc1", "-an", "-movflags", "+faststart",
        "-f", "mp4", "/staging/job-1/hevc.mp4",
        "-map", "[v2]", "-map", "0:a:0", "-map", "[v3]", "-c:v:0", "libx264", "-preset:v:0", "veryfast",
        "-b:v:0", "800k", "-maxrate:v:0", "800k", "-bufsize:v:0", "1600k", "-c:v:1", "libx264",
        "-preset:v:1", "veryfast", "-crf:v:1", "30", "-maxrate:v:1", "200k", "-bufsize:v:1", "400k", "-c:a", "aac",
        "-b:a:0", "96k", "-force_key_frames:v", "expr:gte(t,n_forced*2)", "-f", "hls", "-hls_time", "2",
        "-hls_playlist_type", "vod", "-hls_flags", "independent_segments", "-hls_segment_type", "mpegts",
        "-hls_segment_filename", "/staging/job-1/hls/%v/seg_%05d.ts", "-master_pl_name", "master.m3u8",
        "-var_stream_map", "v:0,a:0,name:r0 v:1,name:r1", "/staging/job-1/hls/%v/index.m3u8",
        "-map", "[v4]", "-c:v", "mjpeg", "-strict:v", "unofficial", "-q:v", "3", "-f", "image2", "-start_number", "1",
        "/staging/job-1/thumbs/%04d.jpg",
        "-map", "[v5]", "-c:v", "mjpeg", "-strict:v", "unofficial", "-q:v", "3", "-frames:v", "4", "-f", "image2",
        "-start_number", "1", "/staging/job-1/grid/%04d.jpg",
    ]

    static let openclGraph = """
        [0:v:0]split=6[s0][s1][s2][s3][s4][s5];\
        [s0]scale=426:240,format=yuv420p,hwupload,\
        unsharp_opencl=lx=5:ly=5:la=0.5,hwdownload,format=yuv420p[v0];\
        [s1]fps=12.5,scale=320:180,format=yuv420p,hwupload,\
        unsharp_opencl=lx=5:ly=5:la=0.5,hwdownload,format=yuv420p[v1];\
        [s2]scale=640:360,format=yuv420p,hwupload,\
        unsharp_opencl=lx=5:ly=5:la=0.5,hwdownload,format=yuv420p[v2];\
        [s3]scale=320:180,format=yuv420p,hwupload,\
        unsharp_opencl=lx=5:ly=5:la=0.5,hwdownload,format=yuv420p[v3];\
        [s4]fps=1/1,scale=160:90:out_range=pc,format=yuv420p[v4];\
        [s5]fps=4/3,scale=128:72:out_range=pc,format=yuv420p[v5]
        """

    static let opencl: [String] = [
        "-hide_banner", "-nostdin", "-nostats", "-loglevel", "warning", "-progress", "pipe:1", "-y",
        "-init_hw_device", "opencl=ocl:0.0", "-filter_hw_device", "ocl",
        "-protocol_whitelist", "file,pipe",
        "-format_whitelist", "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,flv",
        "-i", "file:/in/source.mp4",
        "-filter_complex", openclGraph,
        "-map", "[v0]", "-map", "0:a:0", "-c:v", "libx264", "-preset:v", "veryfast", "-crf:v", "23",
        "-fps_mode", "vfr", "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", "-f", "mp4",
        "/staging/job-1/small.mp4",
        "-map", "[v1]", "-c:v", "libx265", "-preset:v", "veryfast", "-x265-params:v", "log-level=error",
        "-b:v", "300k", "-maxrate:v", "300k", "-bufsize:v", "600k", "-tag:v", "hvc1", "-an", "-movflags", "+faststart",
        "-f", "mp4", "/staging/job-1/hevc.mp4",
        "-map", "[v2]", "-map", "0:a:0", "-map", "[v3]", "-c:v:0", "libx264", "-preset:v:0", "veryfast",
        "-b:v:0", "800k", "-maxrate:v:0", "800k", "-bufsize:v:0", "1600k", "-c:v:1", "libx264",
        "-preset:v:1", "veryfast", "-crf:v:1", "30", "-maxrate:v:1", "200k", "-bufsize:v:1", "400k", "-c:a", "aac",
        "-b:a:0", "96k", "-force_key_frames:v", "expr:gte(t,n_forced*2)", "-f", "hls", "-hls_time", "2",
        "-hls_playlist_type", "vod", "-hls_flags", "independent_segments", "-hls_segment_type", "mpegts",
        "-hls_segment_filename", "/staging/job-1/hls/%v/seg_%05d.ts", "-master_pl_name", "master.m3u8",
        "-var_stream_map", "v:0,a:0,name:r0 v:1,name:r1", "/staging/job-1/hls/%v/index.m3u8",
        "-map", "[v4]", "-c:v", "mjpeg", "-strict:v", "unofficial", "-q:v", "3", "-f", "image2", "-start_number", "1",
        "/staging/job-1/thumbs/%04d.jpg",
        "-map", "[v5]", "-c:v", "mjpeg", "-strict:v", "unofficial", "-q:v", "3", "-frames:v", "4", "-f", "image2",
        "-start_number", "1", "/staging/job-1/grid/%04d.jpg",
    ]

    static let cudaNVENCGraph = """
        [0:v:0]split=6[s0][s1][s2][s3][s4][s5];\
        [s0]scale_cuda=426:240:format=nv12[v0];\
        [s1]fps=12.5,scale_cuda=320:180:format=nv12[v1];\
        [s2]scale_cuda=640:360:format=nv12[v2];\
        [s3]scale_cuda=320:180:format=nv12[v3];\
        [s4]fps=1/1,scale_cuda=160:90:format=nv12,hwdownload,format=nv12,scale=out_range=pc,format=yuv420p[v4];\
        [s5]fps=4/3,scale_cuda=128:72:format=nv12,hwdownload,format=nv12,scale=out_range=pc,format=yuv420p[v5]
        """

    static let cudaNVENC: [String] = [
        "-hide_banner", "-nostdin", "-nostats", "-loglevel", "warning", "-progress", "pipe:1", "-y",
        "-hwaccel", "cuda", "-hwaccel_device", "1", "-hwaccel_output_format", "cuda",
        "-protocol_whitelist", "file,pipe",
        "-format_whitelist", "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,flv",
        "-i", "file:/in/source.mp4",
        "-filter_complex", cudaNVENCGraph,
        "-map", "[v0]", "-map", "0:a:0", "-c:v", "h264_nvenc", "-preset:v", "p4", "-rc:v", "vbr", "-cq:v", "23",
        "-b:v", "0", "-fps_mode", "vfr", "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", "-f", "mp4",
        "/staging/job-1/small.mp4",
        "-map", "[v1]", "-c:v", "hevc_nvenc", "-preset:v", "p4", "-rc:v", "vbr", "-b:v", "300k", "-maxrate:v", "300k",
        "-bufsize:v", "600k", "-tag:v", "hvc1", "-an", "-movflags", "+faststart", "-f", "mp4",
        "/staging/job-1/hevc.mp4",
        "-map", "[v2]", "-map", "0:a:0", "-map", "[v3]", "-c:v:0", "h264_nvenc", "-preset:v:0", "p4", "-rc:v:0", "vbr",
        "-b:v:0", "800k", "-maxrate:v:0", "800k", "-bufsize:v:0", "1600k", "-forced-idr:v:0", "1",
        "-c:v:1", "h264_nvenc", "-preset:v:1", "p4", "-rc:v:1", "vbr", "-cq:v:1", "30", "-b:v:1", "0",
        "-maxrate:v:1", "200k", "-bufsize:v:1", "400k", "-forced-idr:v:1", "1", "-c:a", "aac", "-b:a:0", "96k",
        "-force_key_frames:v", "expr:gte(t,n_forced*2)", "-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod",
        "-hls_flags", "independent_segments", "-hls_segment_type", "mpegts",
        "-hls_segment_filename", "/staging/job-1/hls/%v/seg_%05d.ts", "-master_pl_name", "master.m3u8",
        "-var_stream_map", "v:0,a:0,name:r0 v:1,name:r1", "/staging/job-1/hls/%v/index.m3u8",
        "-map", "[v4]", "-c:v", "mjpeg", "-strict:v", "unofficial", "-q:v", "3", "-f", "image2", "-start_number", "1",
        "/staging/job-1/thumbs/%04d.jpg",
        "-map", "[v5]", "-c:v", "mjpeg", "-strict:v", "unofficial", "-q:v", "3", "-frames:v", "4", "-f", "image2",
        "-start_number", "1", "/staging/job-1/grid/%04d.jpg",
    ]

    static let cudaWithoutNVENCGraph = """
        [0:v:0]split=6[s0][s1][s2][s3][s4][s5];\
        [s0]scale_cuda=426:240:format=nv12,hwdownload,format=nv12[v0];\
        [s1]fps=12.5,scale_cuda=320:180:format=nv12,hwdownload,format=nv12[v1];\
        [s2]scale_cuda=640:360:format=nv12,hwdownload,format=nv12[v2];\
        [s3]scale_cuda=320:180:format=nv12,hwdownload,format=nv12[v3];\
        [s4]fps=1/1,scale_cuda=160:90:format=nv12,hwdownload,format=nv12,scale=out_range=pc,format=yuv420p[v4];\
        [s5]fps=4/3,scale_cuda=128:72:format=nv12,hwdownload,format=nv12,scale=out_range=pc,format=yuv420p[v5]
        """

    static let cudaWithoutNVENC: [String] = [
        "-hide_banner", "-nostdin", "-nostats", "-loglevel", "warning", "-progress", "pipe:1", "-y",
        "-hwaccel", "cuda", "-hwaccel_device", "0", "-hwaccel_output_format", "cuda",
        "-protocol_whitelist", "file,pipe",
        "-format_whitelist", "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,flv",
        "-i", "file:/in/source.mp4",
        "-filter_complex", cudaWithoutNVENCGraph,
        "-map", "[v0]", "-map", "0:a:0", "-c:v", "libx264", "-preset:v", "veryfast", "-crf:v", "23",
        "-fps_mode", "vfr", "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", "-f", "mp4",
        "/staging/job-1/small.mp4",
        "-map", "[v1]", "-c:v", "libx265", "-preset:v", "veryfast", "-x265-params:v", "log-level=error",
        "-b:v", "300k", "-maxrate:v", "300k", "-bufsize:v", "600k", "-tag:v", "hvc1", "-an", "-movflags", "+faststart",
        "-f", "mp4", "/staging/job-1/hevc.mp4",
        "-map", "[v2]", "-map", "0:a:0", "-map", "[v3]", "-c:v:0", "libx264", "-preset:v:0", "veryfast",
        "-b:v:0", "800k", "-maxrate:v:0", "800k", "-bufsize:v:0", "1600k", "-c:v:1", "libx264",
        "-preset:v:1", "veryfast", "-crf:v:1", "30", "-maxrate:v:1", "200k", "-bufsize:v:1", "400k", "-c:a", "aac",
        "-b:a:0", "96k", "-force_key_frames:v", "expr:gte(t,n_forced*2)", "-f", "hls", "-hls_time", "2",
        "-hls_playlist_type", "vod", "-hls_flags", "independent_segments", "-hls_segment_type", "mpegts",
        "-hls_segment_filename", "/staging/job-1/hls/%v/seg_%05d.ts", "-master_pl_name", "master.m3u8",
        "-var_stream_map", "v:0,a:0,name:r0 v:1,name:r1", "/staging/job-1/hls/%v/index.m3u8",
        "-map", "[v4]", "-c:v", "mjpeg", "-strict:v", "unofficial", "-q:v", "3", "-f", "image2", "-start_number", "1",
        "/staging/job-1/thumbs/%04d.jpg",
        "-map", "[v5]", "-c:v", "mjpeg", "-strict:v", "unofficial", "-q:v", "3", "-frames:v", "4", "-f", "image2",
        "-start_number", "1", "/staging/job-1/grid/%04d.jpg",
    ]

    static let silentSourceGraph = """
        [0:v:0]split=2[s0][s1];\
        [s0]scale=1280:720,format=yuv420p[v0];\
        [s1]scale=854:480,format=yuv420p[v1]
        """

    static let silentSource: [String] = [
        "-hide_banner", "-nostdin", "-nostats", "-loglevel", "warning", "-progress", "pipe:1", "-y",
        "-protocol_whitelist", "file,pipe",
        "-format_whitelist", "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,flv",
        "-i", "file:/in/clip:1.mkv",
        "-filter_complex", silentSourceGraph,
        "-map", "[v0]", "-c:v", "libx264", "-preset:v", "veryfast", "-crf:v", "20", "-fps_mode", "vfr",
        "-threads", "2", "-an",
        "-movflags", "+faststart", "-f", "mp4", "/staging/job-2/720p.mp4",
        "-map", "[v1]", "-c:v:0", "libx265", "-preset:v:0", "veryfast", "-x265-params:v:0", "log-level=error",
        "-crf:v:0", "28", "-maxrate:v:0", "1476k", "-bufsize:v:0", "2952k", "-an",
        "-force_key_frames:v", "expr:gte(t,n_forced*6)", "-threads", "2", "-f", "hls", "-hls_time", "6",
        "-hls_playlist_type", "vod", "-hls_flags", "independent_segments", "-hls_segment_type", "mpegts",
        "-hls_segment_filename", "/staging/job-2/ladder/%v/seg_%05d.ts", "-master_pl_name", "master.m3u8",
        "-var_stream_map", "v:0,name:r0", "/staging/job-2/ladder/%v/index.m3u8",
    ]
}
