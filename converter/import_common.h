// What the importers (importers.cc, import_ct2.cc) share: shape-checked
// weight reads, the producer record, progress ticks.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "converter/importers.h"
#include "converter/model_builder.h"
#include "converter/source/convert_error.h"
#include "converter/source/source_tensor.h"

namespace edgeattn::convert {

// Checks a source tensor's shape and returns it as floats.
inline std::vector<float> checked_f32(const SourceTensor& t, const std::vector<int64_t>& shape) {
  if (t.shape != shape) {
    throw ConvertError(t.source + ": tensor '" + t.name + "' has shape " + shape_to_string(t.shape) + ", expected " +
                       shape_to_string(shape));
  }
  return to_f32(t);
}

struct Progress {
  const ImportOptions& options;
  size_t total;
  size_t done = 0;
  void tick(const std::string& name) {
    ++done;
    if (options.progress) options.progress(done, total, name);
  }
};

inline void set_producer(ModelBuilder& mb, const std::string& source, const std::string& format) {
  auto p = std::make_unique<fb::ProducerT>();
  p->name = "edgeattn-convert";
  p->version = "0.1.0";
  p->source = std::filesystem::path(source).filename().string();
  p->source_format = format;
  p->dtype = "fp32";
  mb.model().producer = std::move(p);
}

}  // namespace edgeattn::convert
