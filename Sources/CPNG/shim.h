// CPNG: libpng's simplified API (libpng 1.6), for the PNG images of the Frames module.
// Internal to VINKit; it has no stable API of its own.
//
// The include path comes from pkg-config `libpng` (Debian: libpng-dev). libpng reports errors by
// `longjmp` to a `setjmp` in the caller, which Swift cannot host; the simplified API
// (`png_image_*`) makes that `setjmp` itself (libpng's `png_safe_execute`) and returns 0 with the
// reason in `image.message`, so nothing here or in Swift is ever jumped over. The two functions
// below wrap its memory entry points with plain return codes.
#ifndef VINKIT_CPNG_SHIM_H
#define VINKIT_CPNG_SHIM_H

#include <png.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/// The length of the messages the functions below copy out (libpng's own is 64 bytes).
#define CPNG_MESSAGE_LENGTH 64

/// Encodes `height` rows of `width` 8-bit RGB pixels (row-major, 3 bytes a pixel, no padding)
/// as a PNG file in memory. On success returns 0 and sets `*bytes` (allocated with `malloc`;
/// the caller frees it) and `*count`; on failure returns 1 with libpng's reason in `message`.
static inline int cpng_encode_rgb(
    const uint8_t *pixels, uint32_t width, uint32_t height, uint8_t **bytes, size_t *count,
    char message[CPNG_MESSAGE_LENGTH]) {
  png_image image;
  memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = width;
  image.height = height;
  image.format = PNG_FORMAT_RGB;
  *bytes = NULL;
  *count = 0;
  png_alloc_size_t size = 0;
  // A first call without a buffer measures the file.
  if (!png_image_write_to_memory(&image, NULL, &size, 0, pixels, 0, NULL)) {
    strncpy(message, image.message, CPNG_MESSAGE_LENGTH - 1);
    message[CPNG_MESSAGE_LENGTH - 1] = '\0';
    png_image_free(&image);
    return 1;
  }
  uint8_t *buffer = (uint8_t *)malloc(size);
  if (buffer == NULL) {
    strncpy(message, "out of memory", CPNG_MESSAGE_LENGTH);
    return 1;
  }
  if (!png_image_write_to_memory(&image, buffer, &size, 0, pixels, 0, NULL)) {
    strncpy(message, image.message, CPNG_MESSAGE_LENGTH - 1);
    message[CPNG_MESSAGE_LENGTH - 1] = '\0';
    png_image_free(&image);
    free(buffer);
    return 1;
  }
  *bytes = buffer;
  *count = size;
  return 0;
}

/// Decodes a PNG file in memory to 8-bit RGB pixels (any colour type and depth is converted, as
/// libpng's simplified API does). On success returns 0 and sets `*pixels` (allocated with
/// `malloc`, `3 * width * height` bytes; the caller frees it), `*width` and `*height`; on failure
/// returns 1 with libpng's reason in `message`.
static inline int cpng_decode_rgb(
    const uint8_t *bytes, size_t count, uint8_t **pixels, uint32_t *width, uint32_t *height,
    char message[CPNG_MESSAGE_LENGTH]) {
  png_image image;
  memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  *pixels = NULL;
  *width = 0;
  *height = 0;
  if (!png_image_begin_read_from_memory(&image, bytes, count)) {
    strncpy(message, image.message, CPNG_MESSAGE_LENGTH - 1);
    message[CPNG_MESSAGE_LENGTH - 1] = '\0';
    png_image_free(&image);
    return 1;
  }
  image.format = PNG_FORMAT_RGB;
  size_t size = (size_t)3 * image.width * image.height;
  uint8_t *buffer = (uint8_t *)malloc(size > 0 ? size : 1);
  if (buffer == NULL) {
    strncpy(message, "out of memory", CPNG_MESSAGE_LENGTH);
    png_image_free(&image);
    return 1;
  }
  if (!png_image_finish_read(&image, NULL, buffer, 0, NULL)) {
    strncpy(message, image.message, CPNG_MESSAGE_LENGTH - 1);
    message[CPNG_MESSAGE_LENGTH - 1] = '\0';
    png_image_free(&image);
    free(buffer);
    return 1;
  }
  *pixels = buffer;
  *width = image.width;
  *height = image.height;
  return 0;
}

#endif
