// Measures an output's SSIM against the reference frames its transcode kept, as `spool measure-ssim` does in a child
// process of the worker. FFmpeg's libraries are opened with dlopen here, when a measurement is made, rather than
// linked: `spool` itself then starts without them, and a machine without them (or a build without their headers)
// measures with the ffmpeg command as before.
#include "window_ssim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if __has_include(<libavformat/avformat.h>) && __has_include(<libavcodec/avcodec.h>)
#define SPOOL_HAS_FFMPEG_HEADERS 1
#include <dlfcn.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#endif

static void say(char *message, unsigned long capacity, const char *format, ...) {
    if (message == NULL || capacity == 0) return;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, capacity, format, arguments);
    va_end(arguments);
}

#ifndef SPOOL_HAS_FFMPEG_HEADERS

spool_window_ssim_status spool_window_ssim(
    const char *output, const char *reference, int width, int height, double window_seconds, double *result,
    char *message, unsigned long message_capacity) {
    (void)output, (void)reference, (void)width, (void)height, (void)window_seconds, (void)result;
    say(message, message_capacity, "this spool was built without FFmpeg's development headers");
    return SPOOL_WINDOW_SSIM_UNAVAILABLE;
}

#else

// MARK: - The libraries, opened on first use

#define SPOOL_STRING(x) #x
#define SPOOL_SONAME(name, major) "lib" name ".so." SPOOL_STRING(major)

// Every FFmpeg function used, with the library it comes from.
#define SPOOL_FFMPEG_FUNCTIONS(X)                                                                                      \
    X(util, unsigned, avutil_version, (void))                                                                          \
    X(util, void, av_log_set_level, (int))                                                                             \
    X(util, AVFrame *, av_frame_alloc, (void))                                                                         \
    X(util, void, av_frame_free, (AVFrame **))                                                                         \
    X(util, void, av_frame_unref, (AVFrame *))                                                                         \
    X(util, int, av_dict_set, (AVDictionary **, const char *, const char *, int))                                      \
    X(util, void, av_dict_free, (AVDictionary **))                                                                     \
    X(util, int64_t, av_rescale_q, (int64_t, AVRational, AVRational))                                                  \
    X(codec, unsigned, avcodec_version, (void))                                                                        \
    X(codec, const AVCodec *, avcodec_find_decoder, (enum AVCodecID))                                                  \
    X(codec, AVCodecContext *, avcodec_alloc_context3, (const AVCodec *))                                              \
    X(codec, int, avcodec_parameters_to_context, (AVCodecContext *, const AVCodecParameters *))                        \
    X(codec, int, avcodec_open2, (AVCodecContext *, const AVCodec *, AVDictionary **))                                 \
    X(codec, void, avcodec_free_context, (AVCodecContext **))                                                          \
    X(codec, int, avcodec_send_packet, (AVCodecContext *, const AVPacket *))                                           \
    X(codec, int, avcodec_receive_frame, (AVCodecContext *, AVFrame *))                                                \
    X(codec, AVPacket *, av_packet_alloc, (void))                                                                      \
    X(codec, void, av_packet_free, (AVPacket **))                                                                      \
    X(codec, void, av_packet_unref, (AVPacket *))                                                                      \
    X(format, unsigned, avformat_version, (void))                                                                      \
    X(format, const AVInputFormat *, av_find_input_format, (const char *))                                             \
    X(format, int, avformat_open_input, (AVFormatContext **, const char *, const AVInputFormat *, AVDictionary **))    \
    X(format, void, avformat_close_input, (AVFormatContext **))                                                        \
    X(format, int, av_read_frame, (AVFormatContext *, AVPacket *))

typedef struct {
#define SPOOL_FIELD(library, returns, name, parameters) returns(*name) parameters;
    SPOOL_FFMPEG_FUNCTIONS(SPOOL_FIELD)
#undef SPOOL_FIELD
} ffmpeg_functions;

/// Opens the three libraries of the major versions the headers describe, and finds every function; 0 when any is
/// missing (another FFmpeg, or none), with the reason in `message`.
static int open_ffmpeg(ffmpeg_functions *f, char *message, unsigned long capacity) {
    const char *names[3] = {
        SPOOL_SONAME("avutil", LIBAVUTIL_VERSION_MAJOR),
        SPOOL_SONAME("avcodec", LIBAVCODEC_VERSION_MAJOR),
        SPOOL_SONAME("avformat", LIBAVFORMAT_VERSION_MAJOR),
    };
    void *handles[3];
    for (int i = 0; i < 3; i++) {
        handles[i] = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (handles[i] == NULL) {
            say(message, capacity, "cannot open %s: %s", names[i], dlerror());
            return 0;
        }
    }
    void *util = handles[0], *codec = handles[1], *format = handles[2];
#define SPOOL_FIND(library, returns, name, parameters)                                                                \
    *(void **)(&f->name) = dlsym(library, #name);                                                                      \
    if (f->name == NULL) {                                                                                             \
        say(message, capacity, "%s has no %s", #library, #name);                                                      \
        return 0;                                                                                                      \
    }
    SPOOL_FFMPEG_FUNCTIONS(SPOOL_FIND)
#undef SPOOL_FIND
    if (f->avutil_version() >> 16 != LIBAVUTIL_VERSION_MAJOR || f->avcodec_version() >> 16 != LIBAVCODEC_VERSION_MAJOR
        || f->avformat_version() >> 16 != LIBAVFORMAT_VERSION_MAJOR) {
        say(message, capacity, "the FFmpeg libraries found are not the version this spool was built against");
        return 0;
    }
    return 1;
}

// MARK: - Reading one video stream's frames

typedef struct {
    const ffmpeg_functions *f;
    AVFormatContext *format;
    AVCodecContext *codec;
    AVPacket *packet;
    int stream;
    int draining;
} video_reader;

static void close_reader(video_reader *reader) {
    const ffmpeg_functions *f = reader->f;
    if (reader->packet) f->av_packet_free(&reader->packet);
    if (reader->codec) f->avcodec_free_context(&reader->codec);
    if (reader->format) f->avformat_close_input(&reader->format);
}

/// Opens the first video stream of `path` for decoding on one thread. Only plain files are read, and with
/// `container` only that container.
static spool_window_ssim_status open_reader(
    video_reader *reader, const ffmpeg_functions *f, const char *path, const char *container, char *message,
    unsigned long capacity) {
    memset(reader, 0, sizeof *reader);
    reader->f = f;
    AVDictionary *options = NULL;
    f->av_dict_set(&options, "protocol_whitelist", "file", 0);
    if (container) f->av_dict_set(&options, "format_whitelist", container, 0);
    const AVInputFormat *input = container ? f->av_find_input_format(container) : NULL;
    int opened = f->avformat_open_input(&reader->format, path, input, &options);
    f->av_dict_free(&options);
    if (opened < 0) {
        say(message, capacity, "cannot open %s (error %d)", path, opened);
        return SPOOL_WINDOW_SSIM_FAILED;
    }
    reader->stream = -1;
    for (unsigned i = 0; i < reader->format->nb_streams; i++) {
        if (reader->format->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
            reader->stream = (int)i;
            break;
        }
    }
    if (reader->stream < 0) {
        say(message, capacity, "%s has no video stream", path);
        return SPOOL_WINDOW_SSIM_UNSUPPORTED;
    }
    const AVCodecParameters *parameters = reader->format->streams[reader->stream]->codecpar;
    const AVCodec *decoder = f->avcodec_find_decoder(parameters->codec_id);
    if (decoder == NULL) {
        say(message, capacity, "no decoder for the video of %s", path);
        return SPOOL_WINDOW_SSIM_UNSUPPORTED;
    }
    reader->codec = f->avcodec_alloc_context3(decoder);
    reader->packet = f->av_packet_alloc();
    if (reader->codec == NULL || reader->packet == NULL
        || f->avcodec_parameters_to_context(reader->codec, parameters) < 0) {
        say(message, capacity, "out of memory opening %s", path);
        return SPOOL_WINDOW_SSIM_FAILED;
    }
    // A window is a handful of frames: a thread per core would cost more than it saves, and the cores are busy
    // with other jobs' encodes.
    reader->codec->thread_count = 1;
    if (f->avcodec_open2(reader->codec, decoder, NULL) < 0) {
        say(message, capacity, "cannot open the decoder for %s", path);
        return SPOOL_WINDOW_SSIM_FAILED;
    }
    return SPOOL_WINDOW_SSIM_MEASURED;
}

/// The next decoded frame: 1, or 0 at the end, or -1 on a damaged stream.
static int next_frame(video_reader *reader, AVFrame *frame) {
    const ffmpeg_functions *f = reader->f;
    f->av_frame_unref(frame);
    for (;;) {
        int received = f->avcodec_receive_frame(reader->codec, frame);
        if (received == 0) return 1;
        if (received == AVERROR_EOF) return 0;
        if (received != AVERROR(EAGAIN) || reader->draining) return -1;
        if (f->av_read_frame(reader->format, reader->packet) < 0) {
            reader->draining = 1;
            if (f->avcodec_send_packet(reader->codec, NULL) < 0) return -1;
            continue;
        }
        int sent = reader->packet->stream_index == reader->stream ? f->avcodec_send_packet(reader->codec, reader->packet)
                                                                   : 0;
        f->av_packet_unref(reader->packet);
        if (sent < 0) return -1;
    }
}

// MARK: - SSIM

// The stabilising constants of SSIM for 8-bit samples, scaled for sums over 64 pixels.
static const int ssim_c1 = (int)(.01 * .01 * 255 * 255 * 64 + .5);
static const int ssim_c2 = (int)(.03 * .03 * 255 * 255 * 64 * 63 + .5);

/// Sums over one 4×4 block: of each side's samples, of both sides' squares, and of their products.
typedef struct {
    int a, b, squares, products;
} block_sums;

/// Column sums over four rows, per pixel: kept apart from the block sums so that each loop runs along a row, which
/// the compiler turns into vector instructions.
typedef struct {
    int *a, *b, *squares, *products;
} column_sums;

static void sum_blocks(
    const uint8_t *a, int a_stride, const uint8_t *b, int b_stride, int blocks, column_sums columns,
    block_sums *sums) {
    int width = blocks * 4;
    for (int x = 0; x < width; x++) columns.a[x] = columns.b[x] = columns.squares[x] = columns.products[x] = 0;
    for (int y = 0; y < 4; y++) {
        const uint8_t *p = a + y * a_stride, *q = b + y * b_stride;
        for (int x = 0; x < width; x++) {
            int u = p[x], v = q[x];
            columns.a[x] += u;
            columns.b[x] += v;
            columns.squares[x] += u * u + v * v;
            columns.products[x] += u * v;
        }
    }
    for (int block = 0; block < blocks; block++) {
        int x = block * 4;
        sums[block] = (block_sums){
            columns.a[x] + columns.a[x + 1] + columns.a[x + 2] + columns.a[x + 3],
            columns.b[x] + columns.b[x + 1] + columns.b[x + 2] + columns.b[x + 3],
            columns.squares[x] + columns.squares[x + 1] + columns.squares[x + 2] + columns.squares[x + 3],
            columns.products[x] + columns.products[x + 1] + columns.products[x + 2] + columns.products[x + 3],
        };
    }
}

/// SSIM of one 8×8 window from its sums.
static float window_ssim(int a, int b, int squares, int products) {
    int variances = squares * 64 - a * a - b * b;
    int covariance = products * 64 - a * b;
    return (float)(2 * a * b + ssim_c1) * (float)(2 * covariance + ssim_c2)
        / ((float)(a * a + b * b + ssim_c1) * (float)(variances + ssim_c2));
}

/// Mean SSIM of one plane over 8×8 windows that step by 4 pixels; `scratch` holds two rows of block sums, `columns`
/// a row of column sums.
static double plane_ssim(
    const uint8_t *a, int a_stride, const uint8_t *b, int b_stride, int width, int height, block_sums *scratch,
    column_sums columns) {
    int columns_count = width / 4, rows = height / 4;
    if (columns_count < 2 || rows < 2) return 1.0;
    block_sums *above = scratch, *below = scratch + columns_count;
    sum_blocks(a, a_stride, b, b_stride, columns_count, columns, below);
    double total = 0;
    for (int row = 1; row < rows; row++) {
        block_sums *swap = above;
        above = below;
        below = swap;
        sum_blocks(a + 4 * row * a_stride, a_stride, b + 4 * row * b_stride, b_stride, columns_count, columns, below);
        float line = 0;
        for (int x = 0; x + 1 < columns_count; x++) {
            line += window_ssim(
                above[x].a + above[x + 1].a + below[x].a + below[x + 1].a,
                above[x].b + above[x + 1].b + below[x].b + below[x + 1].b,
                above[x].squares + above[x + 1].squares + below[x].squares + below[x + 1].squares,
                above[x].products + above[x + 1].products + below[x].products + below[x + 1].products);
        }
        total += line;
    }
    return total / ((double)(rows - 1) * (columns_count - 1));
}

static int is_picture(const AVFrame *frame, int width, int height) {
    return frame->format == AV_PIX_FMT_YUV420P && frame->width == width && frame->height == height;
}

spool_window_ssim_status spool_window_ssim(
    const char *output, const char *reference, int width, int height, double window_seconds, double *result,
    char *message, unsigned long capacity) {
    ffmpeg_functions f;  // per call: tests measure from several threads of one process
    if (width < 8 || height < 8 || window_seconds <= 0) {
        say(message, capacity, "a %dx%d picture or a %.3f s window is not measured here", width, height, window_seconds);
        return SPOOL_WINDOW_SSIM_UNSUPPORTED;
    }
    if (!open_ffmpeg(&f, message, capacity)) return SPOOL_WINDOW_SSIM_UNAVAILABLE;
    f.av_log_set_level(AV_LOG_QUIET);

    video_reader out, ref;
    memset(&ref, 0, sizeof ref);
    ref.f = &f;
    spool_window_ssim_status status = open_reader(&out, &f, output, NULL, message, capacity);
    if (status == SPOOL_WINDOW_SSIM_MEASURED) status = open_reader(&ref, &f, reference, "nut", message, capacity);
    AVFrame *a = f.av_frame_alloc(), *b = f.av_frame_alloc();
    int widths[3] = {width, (width + 1) >> 1, (width + 1) >> 1};
    int heights[3] = {height, (height + 1) >> 1, (height + 1) >> 1};
    double pixels = 0;
    for (int plane = 0; plane < 3; plane++) pixels += (double)widths[plane] * heights[plane];
    block_sums *scratch = calloc(2 * (size_t)(width / 4 + 1), sizeof(block_sums));
    int *column_memory = calloc(4 * (size_t)width, sizeof(int));
    column_sums columns = {column_memory, column_memory + width, column_memory + 2 * width, column_memory + 3 * width};
    if (status == SPOOL_WINDOW_SSIM_MEASURED && (a == NULL || b == NULL || scratch == NULL || column_memory == NULL)) {
        say(message, capacity, "out of memory");
        status = SPOOL_WINDOW_SSIM_FAILED;
    }

    double sum = 0;
    long frames = 0;
    int64_t first = AV_NOPTS_VALUE, window = 0;
    while (status == SPOOL_WINDOW_SSIM_MEASURED) {
        int got = next_frame(&out, a);
        if (got == 0) break;
        if (got < 0) {
            say(message, capacity, "the output's video cannot be decoded");
            status = SPOOL_WINDOW_SSIM_FAILED;
            break;
        }
        // The window counts from the first frame, in the stream's own time base, as ffmpeg's input `-t` does.
        AVRational base = out.format->streams[out.stream]->time_base;
        int64_t at = a->best_effort_timestamp;
        if (at == AV_NOPTS_VALUE) {
            say(message, capacity, "the output's frames have no timestamps");
            status = SPOOL_WINDOW_SSIM_UNSUPPORTED;
            break;
        }
        if (first == AV_NOPTS_VALUE) {
            first = at;
            window = f.av_rescale_q((int64_t)(window_seconds * 1000000 + 0.5), AV_TIME_BASE_Q, base);
        }
        if (at - first >= window) break;
        got = next_frame(&ref, b);
        if (got == 0) break;
        if (got < 0) {
            say(message, capacity, "the reference frames cannot be read");
            status = SPOOL_WINDOW_SSIM_FAILED;
            break;
        }
        if (!is_picture(a, width, height) || !is_picture(b, width, height)) {
            say(message, capacity, "the pictures are not %dx%d yuv420p", width, height);
            status = SPOOL_WINDOW_SSIM_UNSUPPORTED;
            break;
        }
        double all = 0;
        for (int plane = 0; plane < 3; plane++) {
            double value = plane_ssim(
                a->data[plane], a->linesize[plane], b->data[plane], b->linesize[plane], widths[plane], heights[plane],
                scratch, columns);
            all += value * ((double)widths[plane] * heights[plane] / pixels);
        }
        sum += all;
        frames++;
    }
    if (status == SPOOL_WINDOW_SSIM_MEASURED && frames == 0) {
        say(message, capacity, "no frames to compare");
        status = SPOOL_WINDOW_SSIM_FAILED;
    }
    if (status == SPOOL_WINDOW_SSIM_MEASURED) *result = sum / frames;
    free(scratch);
    free(column_memory);
    if (a) f.av_frame_free(&a);
    if (b) f.av_frame_free(&b);
    close_reader(&out);
    close_reader(&ref);
    return status;
}

#endif
