#ifndef SPOOL_WINDOW_SSIM_H
#define SPOOL_WINDOW_SSIM_H

/// What `spool_window_ssim` found.
typedef enum {
    /// Measured: `result` holds the mean SSIM of the compared frames.
    SPOOL_WINDOW_SSIM_MEASURED = 0,
    /// FFmpeg's libraries (or their headers, at build time) are not there; measure with the ffmpeg command instead.
    SPOOL_WINDOW_SSIM_UNAVAILABLE = 1,
    /// The files are not the simple case this reader handles (a picture that is not 8-bit 4:2:0 at the size given,
    /// no video stream); measure with the ffmpeg command instead, which judges them.
    SPOOL_WINDOW_SSIM_UNSUPPORTED = 2,
    /// A file could not be opened or decoded; the ffmpeg command's run says why.
    SPOOL_WINDOW_SSIM_FAILED = 3,
} spool_window_ssim_status;

/// The mean SSIM over the frames of the output's first `window_seconds` (timestamps from the file's start) against the
/// frames of `reference`, a NUT file of raw yuv420p pictures at `width`×`height`, paired in order until either side
/// ends: the measurement `ffmpeg -t WINDOW -i OUTPUT -f nut -i REFERENCE -filter_complex ...ssim=shortest=1` makes,
/// with the same 8×8 windows on a 4-pixel grid and each plane weighted by its size, without starting ffmpeg.
/// `message` receives a sentence when the status is not MEASURED.
spool_window_ssim_status spool_window_ssim(
    const char *output, const char *reference, int width, int height, double window_seconds, double *result,
    char *message, unsigned long message_capacity);

#endif
