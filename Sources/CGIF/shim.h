// CGIF: giflib 5 (gif_lib.h), for the animated GIFs of the Frames module.
// Internal to VINKit; it has no stable API of its own.
//
// Debian's libgif-dev has no pkg-config file: the header is /usr/include/gif_lib.h and the
// library is linked as -lgif. giflib reports errors by return codes (no longjmp). The encoder
// below writes the whole animation into a growing buffer through giflib's output callback, so
// that Swift only sees one call with a return code.
#ifndef VINKIT_CGIF_SHIM_H
#define VINKIT_CGIF_SHIM_H

#include <gif_lib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/// Bytes written so far by giflib (`data` from `malloc`, grown by doubling).
typedef struct {
  uint8_t *data;
  size_t count;
  size_t capacity;
  int failed;
} cgif_buffer;

/// giflib's output callback: appends `length` bytes to the `cgif_buffer` in `UserData`.
static inline int cgif_append(GifFileType *gif, const GifByteType *bytes, int length) {
  cgif_buffer *buffer = (cgif_buffer *)gif->UserData;
  if (buffer->failed || length < 0) return 0;
  if (buffer->count + (size_t)length > buffer->capacity) {
    size_t capacity = buffer->capacity > 0 ? buffer->capacity : 4096;
    while (capacity < buffer->count + (size_t)length) capacity *= 2;
    uint8_t *grown = (uint8_t *)realloc(buffer->data, capacity);
    if (grown == NULL) {
      buffer->failed = 1;
      return 0;
    }
    buffer->data = grown;
    buffer->capacity = capacity;
  }
  memcpy(buffer->data + buffer->count, bytes, (size_t)length);
  buffer->count += (size_t)length;
  return length;
}

/// Encodes an animated GIF89a that loops for ever: `frame_count` frames of `width` × `height`
/// palette indices (row-major, frame after frame), the palette `palette_rgb` of `colours`
/// entries (3 bytes each; `colours` a power of two from 2 to 256), each frame shown for
/// `delay` hundredths of a second.
///
/// On success returns 0 and sets `*bytes` (from `malloc`; the caller frees it) and `*count`; on
/// failure returns giflib's error code (`GifErrorString` explains it), or
/// `E_GIF_ERR_NOT_ENOUGH_MEM` when the buffer could not grow.
static inline int cgif_encode_animation(
    const uint8_t *indices, int width, int height, int frame_count, const uint8_t *palette_rgb,
    int colours, int delay, uint8_t **bytes, size_t *count) {
  *bytes = NULL;
  *count = 0;
  cgif_buffer buffer = {NULL, 0, 0, 0};
  int error = 0;
  GifFileType *gif = EGifOpen(&buffer, cgif_append, &error);
  if (gif == NULL) return error;
  ColorMapObject *palette = GifMakeMapObject(colours, NULL);
  if (palette == NULL) {
    EGifCloseFile(gif, &error);
    free(buffer.data);
    return E_GIF_ERR_NOT_ENOUGH_MEM;
  }
  for (int i = 0; i < colours; ++i) {
    palette->Colors[i].Red = palette_rgb[3 * i];
    palette->Colors[i].Green = palette_rgb[3 * i + 1];
    palette->Colors[i].Blue = palette_rgb[3 * i + 2];
  }
  EGifSetGifVersion(gif, true);
  int status = EGifPutScreenDesc(gif, width, height, 8, 0, palette);
  // The NETSCAPE2.0 application extension: loop count 0, for ever.
  static const GifByteType netscape[11] = {'N', 'E', 'T', 'S', 'C', 'A', 'P', 'E', '2', '.', '0'};
  static const GifByteType loop[3] = {1, 0, 0};
  if (status == GIF_OK) status = EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE);
  if (status == GIF_OK) status = EGifPutExtensionBlock(gif, 11, netscape);
  if (status == GIF_OK) status = EGifPutExtensionBlock(gif, 3, loop);
  if (status == GIF_OK) status = EGifPutExtensionTrailer(gif);
  GraphicsControlBlock control = {DISPOSAL_UNSPECIFIED, 0, delay, NO_TRANSPARENT_COLOR};
  GifByteType extension[4];
  EGifGCBToExtension(&control, extension);
  const size_t frame_size = (size_t)width * (size_t)height;
  for (int k = 0; k < frame_count && status == GIF_OK; ++k) {
    status = EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, 4, extension);
    if (status == GIF_OK) status = EGifPutImageDesc(gif, 0, 0, width, height, 0, NULL);
    for (int row = 0; row < height && status == GIF_OK; ++row) {
      GifPixelType *line = (GifPixelType *)(indices + k * frame_size + (size_t)row * width);
      status = EGifPutLine(gif, line, width);
    }
  }
  if (status != GIF_OK) error = gif->Error;
  GifFreeMapObject(palette);
  int closeError = 0;
  if (EGifCloseFile(gif, &closeError) != GIF_OK && error == 0) error = closeError;
  if (buffer.failed && error == 0) error = E_GIF_ERR_NOT_ENOUGH_MEM;
  if (error != 0) {
    free(buffer.data);
    return error;
  }
  *bytes = buffer.data;
  *count = buffer.count;
  return 0;
}

#endif
