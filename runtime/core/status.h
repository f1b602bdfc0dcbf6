// edgeattn error vocabulary: Status and Result<T>.
//
// Every fallible function in runtime/ and kernels/ returns a Status (or a
// Result<T> carrying either a value or a Status). There are no exceptions and
// no aborts on bad input: a model file is untrusted, and the caller decides
// what to do with a failure.
//
// A Status carries a code and a short message that names the tensor, op or
// file offset at fault. The message lives inside the Status (no heap), so a
// failure can be reported from any phase, including invoke().
//
// When to use what (see docs/errors.md):
//   - EA_RETURN_IF_ERROR(expr): propagate a Status from a callee.
//   - Status::error(code, fmt, ...): create a failure in load/prepare, or in
//     invoke() for values that come from the caller (token ids, lengths).
//   - Inside kernels nothing is checked: prepare() validated every shape.
//
// Example:
//   Result<int> parse_dim(int64_t v) {
//     if (v <= 0) return Status::error(StatusCode::kInvalidModel,
//                                      "dim %lld must be positive", (long long)v);
//     return static_cast<int>(v);
//   }
//   Status s = parse_dim(-1).status();   // s.message() == "dim -1 must be positive"
#pragma once

#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <utility>

namespace edgeattn {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,    // the caller passed something wrong (limits, ids, lengths)
  kInvalidModel,       // the model file is malformed or inconsistent
  kUnsupported,        // valid, but this build cannot run it (op, dtype, ISA)
  kOutOfRange,         // a request exceeds what prepare() planned for
  kResourceExhausted,  // an arena or buffer is too small; message gives the size
  kIoError,            // open/read/mmap failed
  kInternal,           // a bug in edgeattn or a dependency (e.g. XNNPACK)
  kOutOfMemory,        // a heap allocation failed; message names what; a retry may succeed
};

// Stable lowercase name of a code, e.g. "invalid_model".
const char* status_code_name(StatusCode code);

class Status {
 public:
  static constexpr size_t kMaxMessage = 200;

  Status() = default;  // ok
  static Status ok() { return Status(); }

  // printf-style message. Truncated to kMaxMessage - 1 characters.
  static Status error(StatusCode code, const char* format, ...)
#if defined(__GNUC__)
      __attribute__((format(printf, 2, 3)))
#endif
      ;

  bool is_ok() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  StatusCode code() const { return code_; }
  // "" for ok.
  const char* message() const { return message_; }

  // Returns a copy whose message is "<prefix>: <message>", to add context
  // (the op or tensor) while propagating.
  Status with_context(const char* format, ...) const
#if defined(__GNUC__)
      __attribute__((format(printf, 2, 3)))
#endif
      ;

 private:
  StatusCode code_ = StatusCode::kOk;
  char message_[kMaxMessage] = {0};
};

// A value or a Status. T need not be default-constructible.
template <typename T>
class Result {
 public:
  Result(const T& value) : has_value_(true) { new (&storage_) T(value); }
  Result(T&& value) : has_value_(true) { new (&storage_) T(std::move(value)); }
  Result(const Status& status) : status_(status), has_value_(false) {
    if (status_.is_ok()) {
      // An ok Status carries no value: that is a programming error, reported
      // as kInternal rather than crashing.
      status_ = Status::error(StatusCode::kInternal, "Result built from an ok Status");
    }
  }
  Result(Result&& other) noexcept : status_(other.status_), has_value_(other.has_value_) {
    if (has_value_) new (&storage_) T(std::move(other.value_ref()));
  }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  Result& operator=(Result&&) = delete;
  ~Result() {
    if (has_value_) value_ref().~T();
  }

  bool is_ok() const { return has_value_; }
  explicit operator bool() const { return has_value_; }
  const Status& status() const { return status_; }

  // Only valid when is_ok().
  T& value() & { return value_ref(); }
  const T& value() const& { return value_ref(); }
  T&& value() && { return std::move(value_ref()); }
  T* operator->() { return &value_ref(); }
  const T* operator->() const { return &value_ref(); }
  T& operator*() { return value_ref(); }

 private:
  T& value_ref() { return *std::launder(reinterpret_cast<T*>(&storage_)); }
  const T& value_ref() const { return *std::launder(reinterpret_cast<const T*>(&storage_)); }

  Status status_;
  bool has_value_;
  typename std::aligned_storage<sizeof(T), alignof(T)>::type storage_;
};

}  // namespace edgeattn

#define EA_CONCAT_INNER_(a, b) a##b
#define EA_CONCAT_(a, b) EA_CONCAT_INNER_(a, b)

// Returns the Status of `expr` from the enclosing function if it failed.
#define EA_RETURN_IF_ERROR(expr)                         \
  do {                                                   \
    ::edgeattn::Status ea_status_ = (expr);              \
    if (!ea_status_.is_ok()) return ea_status_;          \
  } while (0)

// Returns a failure Status built from the arguments when `cond` is false.
#define EA_ENSURE(cond, code, ...)                                   \
  do {                                                               \
    if (!(cond)) return ::edgeattn::Status::error((code), __VA_ARGS__); \
  } while (0)

// `EA_ASSIGN_OR_RETURN(auto x, make_x());` unwraps a Result or returns its Status.
#define EA_ASSIGN_OR_RETURN(lhs, expr) \
  EA_ASSIGN_OR_RETURN_IMPL_(EA_CONCAT_(ea_result_, __LINE__), lhs, expr)
#define EA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.is_ok()) return tmp.status();          \
  lhs = std::move(tmp).value()
