// CTC greedy decoding of the text recognizer's output, as RapidOCR 1.4.4's
// CTCLabelDecode: per frame the argmax class (the first of equal maxima, as
// numpy) and its probability; a frame is kept when its class differs from
// the previous frame's and is not the blank (0); the text is the kept
// classes' characters, the confidence the mean of their probabilities (0
// when none is kept).
//
// The class table is RapidOCR's: 0 the blank, 1..n the model's characters
// (the dictionary, UTF-8 strings, e.g. from the model's metadata or
// ppocr_keys_v1.txt), n + 1 a space.
//
// Memory: create() copies the dictionary and sizes the text for
// max_frames frames of the longest character; decode() allocates nothing.
//
// Example:
//   const char* chars[] = {"a", "b", "\xe4\xb8\xad"};
//   EA_ASSIGN_OR_RETURN(std::unique_ptr<CtcDecoder> d, CtcDecoder::create(chars, 3, 256));
//   EA_RETURN_IF_ERROR(d->decode(probs, frames, 5));   // probs: [frames, 5]
//   printf("%.*s %.3f\n", int(d->text().size()), d->text().data(), d->score());
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "runtime/core/fallible_vector.h"
#include "runtime/core/status.h"

namespace edgeattn {
namespace ocr {

class CtcDecoder {
 public:
  // `characters`: the model's n characters (NUL-terminated UTF-8 strings);
  // the decoder's classes are n + 2.
  static Result<std::unique_ptr<CtcDecoder>> create(const char* const* characters, size_t n, int max_frames);

  // probs: [frames, classes] (row-major). kInvalidArgument when classes is
  // not the dictionary's n + 2, kOutOfRange for more than max_frames.
  Status decode(const float* probs, int frames, int classes);

  std::string_view text() const { return std::string_view(text_.data(), text_size_); }
  double score() const { return score_; }
  int classes() const { return static_cast<int>(offsets_.size()) - 1; }
  // Bytes of the dictionary and text buffers (fixed since create()).
  size_t buffer_bytes() const { return chars_.size() + offsets_.size() * sizeof(uint32_t) + text_.size(); }

 private:
  CtcDecoder() = default;
  Vector<char> chars_;       // [sum of character bytes] the class table's text, concatenated
  Vector<uint32_t> offsets_; // [classes + 1] class c is chars_[offsets_[c], offsets_[c + 1])
  Vector<char> text_;        // [max_frames x longest character]
  size_t text_size_ = 0;
  double score_ = 0.0;
  int max_frames_ = 0;
};

}  // namespace ocr
}  // namespace edgeattn
