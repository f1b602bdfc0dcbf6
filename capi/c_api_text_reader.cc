// The C API's text reader (capi/edgeattn.h: edgeattn_text_reader) over the
// C++ TextReader of runtime/tasks/text_reader.h. Each entry point checks its
// pointers, converts the C structs and calls the C++ task; the lines are
// read in place from the task.
#include <memory>

#include "capi/c_api_internal.h"
#include "capi/edgeattn.h"
#include "runtime/tasks/text_reader.h"

using edgeattn::Status;
using edgeattn::TextLine;
using edgeattn::TextReader;
using edgeattn::TextReaderOptions;
using edgeattn::TextReadStats;
using edgeattn::capi::ok;
using edgeattn::capi::record;
using edgeattn::capi::result_of;
using edgeattn::capi::to_c;

struct edgeattn_text_reader {
  std::unique_ptr<TextReader> reader;
  bool failed = false;  // the last read failed: it has no lines
};

extern "C" {

edgeattn_text_reader_options edgeattn_text_reader_options_default(void) EDGEATTN_NOEXCEPT {
  const TextReaderOptions d;
  edgeattn_text_reader_options o;
  o.max_side = d.max_side;
  o.max_lines = d.max_lines;
  o.max_line_width = d.max_line_width;
  o.classify_angle = d.classify_angle ? 1 : 0;
  o.threads = d.threads;
  o.kernels = d.kernels;
  o.det_thresh = d.det_thresh;
  o.box_thresh = d.box_thresh;
  o.unclip_ratio = d.unclip_ratio;
  o.cls_thresh = d.cls_thresh;
  o.text_score = d.text_score;
  return o;
}

edgeattn_status edgeattn_text_reader_create(const edgeattn_model* model, const edgeattn_text_reader_options* options,
                                            edgeattn_text_reader** out) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(out != nullptr, "out is NULL");
  *out = nullptr;
  EA_C_CHECK(model != nullptr, "model is NULL");
  const edgeattn_text_reader_options o = options != nullptr ? *options : edgeattn_text_reader_options_default();
  TextReaderOptions t;
  t.max_side = o.max_side;
  t.max_lines = o.max_lines;
  t.max_line_width = o.max_line_width;
  t.classify_angle = o.classify_angle != 0;
  t.threads = o.threads;
  t.kernels = o.kernels;
  t.det_thresh = o.det_thresh;
  t.box_thresh = o.box_thresh;
  t.unclip_ratio = o.unclip_ratio;
  t.cls_thresh = o.cls_thresh;
  t.text_score = o.text_score;
  return edgeattn::capi::adopt(TextReader::create(*model->model, t), &edgeattn_text_reader::reader,
                               "a text reader handle", out);
}

void edgeattn_text_reader_destroy(edgeattn_text_reader* reader) EDGEATTN_NOEXCEPT { delete reader; }

edgeattn_status edgeattn_text_reader_read(edgeattn_text_reader* reader, const uint8_t* rgb, int width, int height,
                                          size_t stride) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(reader != nullptr, "reader is NULL");
  const Status s = reader->reader->read(edgeattn::ocr::ImageView{rgb, width, height, stride});
  reader->failed = !s.is_ok();
  return result_of(s);
}

size_t edgeattn_text_reader_line_count(const edgeattn_text_reader* reader) EDGEATTN_NOEXCEPT {
  if (reader == nullptr || reader->failed) return 0;
  return reader->reader->lines().size();
}

edgeattn_status edgeattn_text_reader_line(const edgeattn_text_reader* reader, size_t index,
                                          edgeattn_text_line* line) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(reader != nullptr && line != nullptr, "reader or line is NULL");
  const size_t n = edgeattn_text_reader_line_count(reader);
  if (index >= n) {
    return record(Status::error(edgeattn::StatusCode::kOutOfRange, "line %zu of %zu (the last read has %zu lines)",
                                index, n, n));
  }
  const TextLine& l = reader->reader->lines()[index];
  line->text = l.text.empty() ? "" : l.text.data();
  line->text_size = l.text.size();
  for (int i = 0; i < 4; ++i) {
    line->box[i][0] = l.box[i].x;
    line->box[i][1] = l.box[i].y;
  }
  line->confidence = l.confidence;
  line->rotated = l.rotated ? 1 : 0;
  return ok();
}

edgeattn_status edgeattn_text_reader_last_stats(const edgeattn_text_reader* reader,
                                                edgeattn_text_read_stats* stats) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(reader != nullptr && stats != nullptr, "reader or stats is NULL");
  const TextReadStats& t = reader->reader->stats();
  stats->det_ms = t.det_ms;
  stats->post_ms = t.post_ms;
  stats->cls_ms = t.cls_ms;
  stats->rec_ms = t.rec_ms;
  stats->total_ms = t.total_ms;
  stats->det_height = t.det_height;
  stats->det_width = t.det_width;
  stats->boxes = t.boxes;
  stats->dropped = t.dropped;
  stats->rejected = t.rejected;
  stats->rotated = t.rotated;
  stats->lines = t.lines;
  return ok();
}

edgeattn_status edgeattn_text_reader_memory(const edgeattn_text_reader* reader, edgeattn_memory_stats* det,
                                            edgeattn_memory_stats* cls, edgeattn_memory_stats* rec,
                                            size_t* buffer_bytes) EDGEATTN_NOEXCEPT {
  EA_C_CHECK(reader != nullptr, "reader is NULL");
  const edgeattn::TextReaderMemory m = reader->reader->memory();
  if (det != nullptr) *det = to_c(m.det);
  if (cls != nullptr) *cls = to_c(m.cls);
  if (rec != nullptr) *rec = to_c(m.rec);
  if (buffer_bytes != nullptr) *buffer_bytes = m.buffer_bytes;
  return ok();
}

}  // extern "C"
