#include "runtime/core/status.h"

#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <string>

namespace edgeattn {
namespace {

Result<int> parse_positive(int v) {
  EA_ENSURE(v > 0, StatusCode::kInvalidArgument, "value %d must be positive", v);
  return v * 2;
}

Status double_twice(int v, int* out) {
  EA_ASSIGN_OR_RETURN(int once, parse_positive(v));
  EA_ASSIGN_OR_RETURN(int twice, parse_positive(once));
  *out = twice;
  return Status::ok();
}

TEST_CASE("Status carries code and formatted message") {
  Status ok;
  CHECK(ok.is_ok());
  CHECK(std::string(ok.message()).empty());
  Status s = Status::error(StatusCode::kInvalidModel, "tensor '%s' at offset %d", "wq", 64);
  CHECK_FALSE(s.is_ok());
  CHECK(s.code() == StatusCode::kInvalidModel);
  CHECK(std::string(s.message()) == "tensor 'wq' at offset 64");
  CHECK(std::string(status_code_name(s.code())) == "invalid_model");
}

TEST_CASE("Status::with_context prefixes the message, keeps the code") {
  Status s = Status::error(StatusCode::kOutOfRange, "seq 600 > 512").with_context("op %d (Attention)", 7);
  CHECK(s.code() == StatusCode::kOutOfRange);
  CHECK(std::string(s.message()) == "op 7 (Attention): seq 600 > 512");
  CHECK(Status::ok().with_context("ignored").is_ok());
}

TEST_CASE("Status messages are truncated, never overflow") {
  std::string big(1000, 'x');
  Status s = Status::error(StatusCode::kInternal, "%s", big.c_str());
  CHECK(std::strlen(s.message()) == Status::kMaxMessage - 1);
}

TEST_CASE("Result propagates values and errors") {
  int out = 0;
  CHECK(double_twice(3, &out).is_ok());
  CHECK(out == 12);
  Status bad = double_twice(-1, &out);
  CHECK(bad.code() == StatusCode::kInvalidArgument);
  CHECK(std::string(bad.message()) == "value -1 must be positive");
}

TEST_CASE("Result holds move-only values") {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(5));
  REQUIRE(r.is_ok());
  std::unique_ptr<int> p = std::move(r).value();
  CHECK(*p == 5);
  Result<std::unique_ptr<int>> e(Status::error(StatusCode::kIoError, "open"));
  CHECK_FALSE(e.is_ok());
  CHECK(e.status().code() == StatusCode::kIoError);
  Result<int> from_ok{Status::ok()};
  CHECK(from_ok.status().code() == StatusCode::kInternal);
}

}  // namespace
}  // namespace edgeattn
