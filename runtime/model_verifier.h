// Internal: complete verification of an untrusted .eatn file.
//
// Two stages, both at load:
//   verify_model_structure  the size prefix, identifier and format version,
//                           the FlatBuffers verifier, every tensor's dtype,
//                           rank, shape and data segment (inside the file,
//                           64-byte aligned, after the FlatBuffer, size equal
//                           to shape x dtype).
//   verify_model_graphs     every graph's tensor indices, op order (an
//                           activation is written once, before it is read)
//                           and each op's own checks (op_registry.h),
//                           cross-attention reading sequence state.
//   verify_model_extras     the audio frontend, decoding config, shortlist
//                           and image preprocessing.
// After both pass, no later phase can read out of bounds because of the file.
#pragma once

#include <cstddef>
#include <cstdint>

#include "runtime/core/status.h"

namespace edgeattn {

namespace fb {
struct Model;
}
class Model;

struct ModelBytes {
  const uint8_t* data;
  size_t size;
};

Result<const fb::Model*> verify_model_structure(const ModelBytes& bytes);
Status verify_model_graphs(const Model& model);
// The audio frontend and decoding config (format 1.3), the shortlist (1.4)
// and the image preprocessing (1.6), if present.
Status verify_model_extras(const Model& model);

}  // namespace edgeattn
