// Internal, not installed: Session::create with a KernelTable the caller
// built instead of one chosen by name (SessionOptions::kernels is ignored).
//
// For tests that need a table no CPU is handed, e.g. a copy of the chosen
// table with kKernelCapFp16Arithmetic set or cleared
// (tests/targets/fp16_fc_test.cc). `kernels` must outlive the Session.
// Everything else goes through Session::create, which resolves the name.
#pragma once

#include <memory>

#include "kernels/kernels.h"
#include "runtime/session.h"

namespace edgeattn {

Result<std::unique_ptr<Session>> create_session_with_kernels(const Model& model, const SessionOptions& options,
                                                             const KernelTable& kernels);

}  // namespace edgeattn
