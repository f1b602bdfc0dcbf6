// Vector<T>: a growable array whose allocations report failure.
//
// runtime/ is built without exceptions, so a failing `operator new` inside
// std::vector, std::string or std::unordered_map ends the process. Everything
// that load and prepare allocate goes through containers like this one
// instead: growth uses malloc/realloc and returns a Status (kOutOfMemory,
// naming what was being allocated) or false, and leaves the Vector as it was.
//
// T must be trivially copyable and trivially destructible (moved by
// realloc, never destroyed); a default member initializer is fine: new
// elements are value-initialized with T().
//
// Example:
//   Vector<TensorInfo> tensors;
//   EA_RETURN_IF_ERROR(tensors.resize(n, "tensor table"));   // [n]
//   if (!ids.try_push_back(7)) return Status::error(StatusCode::kOutOfMemory, "...");
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <type_traits>

#include "runtime/core/span.h"
#include "runtime/core/status.h"

namespace edgeattn {

template <typename T>
class Vector {
 public:
  Vector() = default;
  ~Vector() { std::free(data_); }
  Vector(const Vector&) = delete;
  Vector& operator=(const Vector&) = delete;
  Vector(Vector&& other) noexcept : data_(other.data_), size_(other.size_), capacity_(other.capacity_) {
    other.data_ = nullptr;
    other.size_ = other.capacity_ = 0;
  }
  Vector& operator=(Vector&& other) noexcept {
    if (this != &other) {
      std::free(data_);
      data_ = other.data_;
      size_ = other.size_;
      capacity_ = other.capacity_;
      other.data_ = nullptr;
      other.size_ = other.capacity_ = 0;
    }
    return *this;
  }

  // Capacity for at least `n` elements; false (and unchanged) when out of memory.
  bool try_reserve(size_t n) {
    // Checked here, not at class scope, so a Vector of an incomplete type
    // can be a member (as long as it is complete where it grows).
    static_assert(std::is_trivially_copyable<T>::value && std::is_trivially_destructible<T>::value,
                  "Vector<T> moves elements with realloc and never runs destructors");
    if (n <= capacity_) return true;
    if (n > SIZE_MAX / sizeof(T)) return false;
    void* grown = std::realloc(data_, n * sizeof(T));
    if (grown == nullptr) return false;
    data_ = static_cast<T*>(grown);
    capacity_ = n;
    return true;
  }
  Status reserve(size_t n, const char* what) {
    if (try_reserve(n)) return Status::ok();
    return out_of_memory(n, what);
  }

  // New elements are T(); shrinking keeps the capacity.
  bool try_resize(size_t n) {
    if (!try_reserve(n)) return false;
    for (size_t i = size_; i < n; ++i) new (data_ + i) T();
    size_ = n;
    return true;
  }
  Status resize(size_t n, const char* what) {
    if (try_resize(n)) return Status::ok();
    return out_of_memory(n, what);
  }

  // Replaces the contents with `n` copies of `value`.
  Status assign(size_t n, const T& value, const char* what) {
    if (!try_reserve(n)) return out_of_memory(n, what);
    for (size_t i = 0; i < n; ++i) new (data_ + i) T(value);
    size_ = n;
    return Status::ok();
  }

  // Amortized O(1): capacity doubles.
  bool try_push_back(const T& value) {
    if (size_ == capacity_ && !try_reserve(grown_capacity(size_ + 1))) return false;
    new (data_ + size_) T(value);
    ++size_;
    return true;
  }
  Status push_back(const T& value, const char* what) {
    if (try_push_back(value)) return Status::ok();
    return out_of_memory(size_ + 1, what);
  }

  // Appends `n` elements copied from `values` (which must not point into this Vector).
  bool try_append(const T* values, size_t n) {
    if (n > SIZE_MAX - size_) return false;
    if (size_ + n > capacity_ && !try_reserve(grown_capacity(size_ + n))) return false;
    for (size_t i = 0; i < n; ++i) new (data_ + size_ + i) T(values[i]);
    size_ += n;
    return true;
  }

  void pop_back() { --size_; }
  void clear() { size_ = 0; }
  // Drops elements past `n` (n <= size()); never allocates.
  void truncate(size_t n) {
    if (n < size_) size_ = n;
  }
  // Returns the memory to the system.
  void release() {
    std::free(data_);
    data_ = nullptr;
    size_ = capacity_ = 0;
  }

  T* data() { return data_; }
  const T* data() const { return data_; }
  size_t size() const { return size_; }
  size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  T& back() { return data_[size_ - 1]; }
  const T& back() const { return data_[size_ - 1]; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  Span<T> span() { return Span<T>(data_, size_); }
  Span<const T> span() const { return Span<const T>(data_, size_); }

 private:
  size_t grown_capacity(size_t need) const {
    size_t c = capacity_ < 4 ? 4 : capacity_;
    while (c < need && c <= SIZE_MAX / 2) c *= 2;
    return c < need ? need : c;
  }
  static Status out_of_memory(size_t n, const char* what) {
    return Status::error(StatusCode::kOutOfMemory, "out of memory allocating %s (%zu x %zu bytes)",
                         what != nullptr ? what : "an array", n, sizeof(T));
  }

  T* data_ = nullptr;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace edgeattn
