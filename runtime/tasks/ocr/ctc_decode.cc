#include "runtime/tasks/ocr/ctc_decode.h"

#include <cstring>
#include <new>

namespace edgeattn {
namespace ocr {

Result<std::unique_ptr<CtcDecoder>> CtcDecoder::create(const char* const* characters, size_t n, int max_frames) {
  EA_ENSURE(characters != nullptr || n == 0, StatusCode::kInvalidArgument, "CTC dictionary is null");
  EA_ENSURE(max_frames >= 1, StatusCode::kInvalidArgument, "CTC max_frames %d must be positive", max_frames);
  std::unique_ptr<CtcDecoder> d(new (std::nothrow) CtcDecoder());
  EA_ENSURE(d != nullptr, StatusCode::kOutOfMemory, "out of memory allocating the CTC decoder");
  d->max_frames_ = max_frames;
  size_t bytes = 1, longest = 1;  // the space
  for (size_t i = 0; i < n; ++i) {
    EA_ENSURE(characters[i] != nullptr, StatusCode::kInvalidArgument, "CTC dictionary entry %zu is null", i);
    const size_t len = std::strlen(characters[i]);
    bytes += len;
    if (len > longest) longest = len;
  }
  EA_RETURN_IF_ERROR(d->chars_.reserve(bytes, "the CTC dictionary"));
  EA_RETURN_IF_ERROR(d->offsets_.reserve(n + 3, "the CTC dictionary offsets"));
  EA_RETURN_IF_ERROR(d->offsets_.push_back(0, "the CTC dictionary offsets"));  // blank: no text
  EA_RETURN_IF_ERROR(d->offsets_.push_back(0, "the CTC dictionary offsets"));
  for (size_t i = 0; i < n; ++i) {
    d->chars_.try_append(characters[i], std::strlen(characters[i]));  // reserved above
    d->offsets_.try_push_back(static_cast<uint32_t>(d->chars_.size()));
  }
  d->chars_.try_push_back(' ');
  d->offsets_.try_push_back(static_cast<uint32_t>(d->chars_.size()));
  EA_RETURN_IF_ERROR(d->text_.resize(static_cast<size_t>(max_frames) * longest, "the CTC text"));
  return d;
}

Status CtcDecoder::decode(const float* probs, int frames, int classes) {
  text_size_ = 0;
  score_ = 0.0;
  EA_ENSURE(classes == this->classes(), StatusCode::kInvalidArgument,
            "recognizer output has %d classes, the dictionary %d (blank + %d characters + space)", classes,
            this->classes(), this->classes() - 2);
  EA_ENSURE(frames >= 0 && frames <= max_frames_, StatusCode::kOutOfRange, "%d frames (this decoder takes up to %d)",
            frames, max_frames_);
  EA_ENSURE(probs != nullptr || frames == 0, StatusCode::kInvalidArgument, "recognizer output is null");
  double sum = 0.0;
  size_t kept = 0;
  int prev = -1;
  for (int t = 0; t < frames; ++t) {
    const float* p = probs + static_cast<size_t>(t) * classes;
    int best = 0;
    for (int c = 1; c < classes; ++c) {
      if (p[c] > p[best]) best = c;  // numpy's argmax: the first maximum
    }
    const bool keep = best != 0 && best != prev;
    prev = best;
    if (!keep) continue;
    const size_t len = offsets_[best + 1] - offsets_[best];
    std::memcpy(text_.data() + text_size_, chars_.data() + offsets_[best], len);
    text_size_ += len;
    sum += p[best];
    ++kept;
  }
  score_ = kept > 0 ? sum / static_cast<double>(kept) : 0.0;
  return Status::ok();
}

}  // namespace ocr
}  // namespace edgeattn
