// Internal: the FlatBuffers side of a Model, for the runtime's own files,
// the converter and tests. Not installed; front-ends use Model::info().
#pragma once

#include <string_view>

#include "runtime/model.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn::internal {

// The verified root table inside the model bytes (lives as long as `model`).
const fb::Model& flatbuffer_of(const Model& model);

// The method (graph) called `name`, or nullptr; the first method when
// `name` is nullptr.
const fb::Graph* find_method(const Model& model, const char* name);

}  // namespace edgeattn::internal
