// Internal: the arena layout a session would get, for tools that print it
// (`edgeattn-convert inspect --plan`, converter/inspect.cc). Not installed.
//
// Example:
//   SessionLayout layout;
//   MemoryStats memory;
//   EA_RETURN_IF_ERROR(describe_session_layout(model, options, &layout, &memory));
//   // layout.persistent.regions: KV caches, tables; layout.plan.buffers: activations, scratch
#pragma once

#include "runtime/session.h"
#include "runtime/session_plan.h"

namespace edgeattn {

// What Session::plan(model, options) computes, with the layout behind it:
// the same steps (creating no XNNPACK operator, no thread pool, no arena),
// so *memory equals Session::plan()'s MemoryStats.
Status describe_session_layout(const Model& model, const SessionOptions& options, SessionLayout* layout,
                               MemoryStats* memory);

}  // namespace edgeattn
