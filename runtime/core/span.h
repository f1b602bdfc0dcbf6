// Span<T>: a non-owning view of a contiguous array.
//
// edgeattn passes views, never owners, across module boundaries. A Span does
// not extend the lifetime of what it points at: whoever stores one documents
// what it must outlive.
//
// Example:
//   float buf[8];
//   Span<float> s(buf, 8);
//   Span<const float> head = s.first(4);   // buf[0..4)
#pragma once

#include <cstddef>
#include <type_traits>

namespace edgeattn {

template <typename T>
class Span {
 public:
  constexpr Span() = default;
  constexpr Span(T* data, size_t size) : data_(data), size_(size) {}
  template <size_t N>
  constexpr Span(T (&array)[N]) : data_(array), size_(N) {}
  // Span<T> converts to Span<const T>.
  template <typename U, typename = std::enable_if_t<std::is_same<const U, T>::value>>
  constexpr Span(const Span<U>& other) : data_(other.data()), size_(other.size()) {}

  constexpr T* data() const { return data_; }
  constexpr size_t size() const { return size_; }
  constexpr bool empty() const { return size_ == 0; }
  constexpr T& operator[](size_t i) const { return data_[i]; }
  constexpr T* begin() const { return data_; }
  constexpr T* end() const { return data_ + size_; }

  constexpr Span first(size_t n) const { return Span(data_, n); }
  constexpr Span subspan(size_t offset, size_t n) const { return Span(data_ + offset, n); }

 private:
  T* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace edgeattn
