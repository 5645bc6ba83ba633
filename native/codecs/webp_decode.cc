#include "webp_decode.h"

#include <cstdio>
#include <cstring>
#include <new>

#include <webp/decode.h>
#include <webp/demux.h>

#include "orientation.h"
#include "own_decoder.h"

namespace offloop::codecs {

namespace {

Status FeaturesStatus(VP8StatusCode code) {
  if (code == VP8_STATUS_OK) return Status::Ok();
  if (code == VP8_STATUS_NOT_ENOUGH_DATA) {
    return Status::Error(ErrorCode::kTruncated, "WebP data ends inside the header");
  }
  if (code == VP8_STATUS_OUT_OF_MEMORY) return Status::Error(ErrorCode::kOutOfMemory, "out of memory");
  return Status::Error(ErrorCode::kCorrupt, "libwebp refuses the WebP header (status %d)", static_cast<int>(code));
}

// Pillow's getexif of info["exif"], the demuxer's first EXIF chunk: Exif.load
// drops a leading "Exif\0\0", then reads the TIFF structure.
int ExifChunkOrientation(const WebPDemuxer* demux) {
  WebPChunkIterator chunk;
  if (!WebPDemuxGetChunk(demux, "EXIF", 1, &chunk)) return 0;
  const uint8_t* data = chunk.chunk.bytes;
  size_t size = chunk.chunk.size;
  if (size >= 6 && std::memcmp(data, "Exif\0\0", 6) == 0) {
    data += 6;
    size -= 6;
  }
  const int orientation = TiffOrientation(data, size).value;
  WebPDemuxReleaseChunkIterator(&chunk);
  return orientation;
}

// InspectWebp past WebPGetFeatures (the decoder has them already).
Status InspectWithFeatures(const uint8_t* data, size_t size, const WebPBitstreamFeatures& features, HeaderInfo* info) {
  *info = HeaderInfo();
  info->format = ImageFormat::kWebp;
  info->width = static_cast<uint32_t>(features.width);
  info->height = static_cast<uint32_t>(features.height);
  info->components = features.has_alpha ? 4 : 3;
  info->bit_depth = 8;
  std::snprintf(info->kind, sizeof info->kind, "webp %s%s%s",
                features.format == 1   ? "lossy"
                : features.format == 2 ? "lossless"
                                       : "mixed",
                features.has_alpha ? " alpha" : "", features.has_animation ? " animated" : "");
  // The demuxer parses chunks only (no pixel memory); Pillow's decoder
  // refuses what it refuses, a file cut short among them.
  WebPData whole = {data, size};
  WebPDemuxState state = WEBP_DEMUX_PARSE_ERROR;
  WebPDemuxer* demux = WebPDemuxPartial(&whole, &state);
  if (demux == nullptr || state != WEBP_DEMUX_DONE) {
    WebPDemuxDelete(demux);
    if (state == WEBP_DEMUX_PARSE_ERROR) return Status::Error(ErrorCode::kCorrupt, "WebP chunks are invalid");
    return Status::Error(ErrorCode::kTruncated, "WebP data ends before its last chunk");
  }
  info->orientation = ExifChunkOrientation(demux);
  WebPDemuxDelete(demux);
  return Status::Ok();
}

}  // namespace

Status InspectWebp(const uint8_t* data, size_t size, HeaderInfo* info) {
  *info = HeaderInfo();
  info->format = ImageFormat::kWebp;
  WebPBitstreamFeatures features;
  const Status header = FeaturesStatus(WebPGetFeatures(data, size, &features));
  if (!header.ok()) return header;
  return InspectWithFeatures(data, size, features, info);
}

Status WebpHeaderSize(const uint8_t* data, size_t size, uint64_t* width, uint64_t* height) {
  WebPBitstreamFeatures features;
  const Status header = FeaturesStatus(WebPGetFeatures(data, size, &features));
  if (!header.ok()) return header;
  *width = static_cast<uint64_t>(features.width);
  *height = static_cast<uint64_t>(features.height);
  return Status::Ok();
}

Status ScreenWebpPrefix(const uint8_t* data, size_t size, bool complete, uint64_t max_pixels, bool* need_more) {
  *need_more = false;
  WebPBitstreamFeatures features;
  const VP8StatusCode code = WebPGetFeatures(data, size, &features);
  if (code == VP8_STATUS_NOT_ENOUGH_DATA && !complete) {
    *need_more = true;
    return Status::Ok();
  }
  const Status header = FeaturesStatus(code);
  if (!header.ok()) return header;
  return CheckPixelLimit(static_cast<uint64_t>(features.width), static_cast<uint64_t>(features.height), max_pixels);
}

namespace {

class WebpGrayDecoder final : public OwnGrayDecoder {
 public:
  WebpGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options)
      : OwnGrayDecoder(data, size, options) {}
  ~WebpGrayDecoder() override { WebPDemuxDelete(demux_); }

  Status Open() noexcept {
    // The limit first, from the header alone (the demuxer may refuse a huge
    // canvas for other reasons), before any pixel memory.
    WebPBitstreamFeatures features;
    Status status = FeaturesStatus(WebPGetFeatures(data_, size_, &features));
    if (status.ok()) {
      status = CheckPixelLimit(static_cast<uint64_t>(features.width), static_cast<uint64_t>(features.height),
                               options_.max_pixels);
    }
    if (status.ok()) status = InspectWithFeatures(data_, size_, features, &info_);
    status_ = status;
    return status;
  }

  // Pillow's _webp.c decodes with WebPAnimDecoder (RGBA, no threads), whose
  // first frame is always a key frame: the canvas zeroed, the frame decoded
  // into its rectangle with WebPDecode, no blending. The same pixels come
  // from decoding the frame alone and taking L = 0 (of transparent black)
  // outside it, without the decoder's two RGBA canvases. A frame without
  // alpha is decoded as RGB: the same R, G and B, a quarter less memory.
  Status Start(GrayTarget target) noexcept override {
    const Status begun = BeginStart(target);
    if (!begun.ok()) return begun;
    const WebPData whole = {data_, size_};
    demux_ = WebPDemux(&whole);
    WebPIterator frame;
    if (demux_ == nullptr || !WebPDemuxGetFrame(demux_, 1, &frame)) {
      return status_ = Status::Error(ErrorCode::kCorrupt, "libwebp cannot open the WebP file");
    }
    frame_x_ = static_cast<uint32_t>(frame.x_offset);
    frame_y_ = static_cast<uint32_t>(frame.y_offset);
    frame_width_ = static_cast<uint32_t>(frame.width);
    frame_height_ = static_cast<uint32_t>(frame.height);
    pixel_bytes_ = frame.has_alpha ? 4 : 3;
    const uint8_t* bytes = frame.fragment.bytes;
    const size_t size = frame.fragment.size;
    WebPDemuxReleaseIterator(&frame);
    // The demuxer keeps frames inside the canvas; checked again all the same.
    if (frame_width_ == 0 || frame_height_ == 0 || frame_x_ > info_.width - frame_width_ ||
        frame_y_ > info_.height - frame_height_) {
      return status_ = Status::Error(ErrorCode::kCorrupt, "WebP frame outside its canvas");
    }
    const size_t stride = size_t{frame_width_} * pixel_bytes_;
    pixels_.reset(new (std::nothrow) uint8_t[stride * frame_height_]);
    if (!pixels_) return status_ = Status::Error(ErrorCode::kOutOfMemory, "out of memory");
    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config)) {
      return status_ = Status::Error(ErrorCode::kInternal, "libwebp does not match its headers");
    }
    config.output.colorspace = pixel_bytes_ == 4 ? MODE_RGBA : MODE_RGB;
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = pixels_.get();
    config.output.u.RGBA.stride = static_cast<int>(stride);
    config.output.u.RGBA.size = stride * frame_height_;
    config.options.use_threads = 0;
    const VP8StatusCode decoded = WebPDecode(bytes, size, &config);
    WebPFreeDecBuffer(&config.output);
    if (decoded != VP8_STATUS_OK) {
      return status_ =
                 Status::Error(decoded == VP8_STATUS_OUT_OF_MEMORY ? ErrorCode::kOutOfMemory : ErrorCode::kCorrupt,
                               "libwebp cannot decode the WebP image data (status %d)", static_cast<int>(decoded));
    }
    WebPDemuxDelete(demux_);
    demux_ = nullptr;
    return Status::Ok();
  }

  Status Step(uint32_t rows, DecodeProgress* progress) noexcept override {
    const Status begun = BeginStep();
    if (!begun.ok()) return begun;
    const RgbxRowToL rgbx_to_l = options_.rgbx_to_l != nullptr ? options_.rgbx_to_l : RgbxRowToLScalar;
    const RgbRowToLFn rgb_to_l = options_.rgb_to_l != nullptr ? options_.rgb_to_l : RgbRowToL;
    const uint32_t band = rows == 0 ? 1 : rows;
    const uint32_t end = info_.height - y_ < band ? info_.height : y_ + band;
    for (; y_ < end; y_++) {
      uint8_t* row = target_.data + size_t{y_} * target_.stride;
      if (y_ < frame_y_ || y_ - frame_y_ >= frame_height_) {
        std::memset(row, 0, info_.width);
        continue;
      }
      std::memset(row, 0, frame_x_);
      const uint8_t* frame_row = pixels_.get() + size_t{y_ - frame_y_} * frame_width_ * pixel_bytes_;
      if (pixel_bytes_ == 4) {
        rgbx_to_l(frame_row, frame_width_, row + frame_x_);
      } else {
        rgb_to_l(frame_row, 3, frame_width_, row + frame_x_);
      }
      std::memset(row + frame_x_ + frame_width_, 0, info_.width - frame_x_ - frame_width_);
    }
    if (y_ == info_.height) pixels_.reset();
    if (progress != nullptr) {
      progress->done = y_;
      progress->total = info_.height;
      progress->finished = y_ == info_.height;
    }
    return Status::Ok();
  }

 private:
  WebPDemuxer* demux_ = nullptr;
  std::unique_ptr<uint8_t[]> pixels_;  // the first frame, RGBA or RGB
  size_t pixel_bytes_ = 4;
  uint32_t frame_x_ = 0;
  uint32_t frame_y_ = 0;
  uint32_t frame_width_ = 0;
  uint32_t frame_height_ = 0;
  uint32_t y_ = 0;
};

}  // namespace

Status OpenWebpGrayDecoder(const uint8_t* data, size_t size, const DecodeOptions& options,
                           std::unique_ptr<GrayDecoder>* decoder) noexcept {
  return OpenFormatDecoder<WebpGrayDecoder>(data, size, options, decoder);
}

const char* WebpLibraryVersion() {
  static const struct Version {
    char text[16];
    Version() : text() {
      const int v = WebPGetDecoderVersion();
      std::snprintf(text, sizeof text, "%d.%d.%d", (v >> 16) & 0xFF, (v >> 8) & 0xFF, v & 0xFF);
    }
  } version;
  return version.text;
}

const void* WebpLibrarySymbol() { return reinterpret_cast<const void*>(&WebPGetDecoderVersion); }

}  // namespace offloop::codecs
