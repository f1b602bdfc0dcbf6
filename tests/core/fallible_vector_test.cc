#include "runtime/core/fallible_vector.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "tests/support/alloc_interposer.h"

namespace edgeattn {
namespace {

namespace inject = testing::alloc_interposer;

struct WithDefaults {
  int a = 7;
  float b = 1.5f;
};

TEST_CASE("resize value-initializes new elements, shrinking keeps the rest") {
  Vector<WithDefaults> v;
  CHECK(v.empty());
  CHECK(v.data() == nullptr);
  REQUIRE(v.resize(3, "test").is_ok());
  REQUIRE(v.size() == 3);
  for (const WithDefaults& w : v) {
    CHECK(w.a == 7);
    CHECK(w.b == 1.5f);
  }
  v[1].a = 42;
  REQUIRE(v.resize(5, "test").is_ok());
  CHECK(v[1].a == 42);
  CHECK(v[4].a == 7);
  v.truncate(2);
  CHECK(v.size() == 2);
  CHECK(v.capacity() >= 5);
  CHECK(v[1].a == 42);
}

TEST_CASE("push_back, append and assign grow and keep the contents") {
  Vector<int32_t> v;
  for (int32_t i = 0; i < 1000; ++i) REQUIRE(v.try_push_back(i * 3));
  REQUIRE(v.size() == 1000);
  bool all = true;
  for (int32_t i = 0; i < 1000; ++i) all = all && v[static_cast<size_t>(i)] == i * 3;
  CHECK(all);
  const int32_t more[3] = {-1, -2, -3};
  REQUIRE(v.try_append(more, 3));
  CHECK(v.size() == 1003);
  CHECK(v.back() == -3);
  v.pop_back();
  CHECK(v.back() == -2);
  REQUIRE(v.assign(4, 9, "test").is_ok());
  CHECK(v.size() == 4);
  CHECK((v[0] == 9 && v[3] == 9));
  v.clear();
  CHECK(v.empty());
  v.release();
  CHECK(v.capacity() == 0);
}

TEST_CASE("moves transfer the buffer") {
  Vector<char> a;
  REQUIRE(a.try_append("hello", 5));
  const char* p = a.data();
  Vector<char> b(std::move(a));
  CHECK(b.data() == p);
  CHECK(a.data() == nullptr);
  CHECK(a.size() == 0);
  CHECK(std::string(b.data(), b.size()) == "hello");
  Vector<char> c;
  c = std::move(b);
  CHECK(c.data() == p);
  CHECK(b.empty());
}

TEST_CASE("an impossible size is an out-of-memory Status naming what was allocated, contents untouched") {
  Vector<uint64_t> v;
  REQUIRE(v.try_push_back(5));
  const Status s = v.resize(SIZE_MAX / 4, "the frobnicator table");
  CHECK(s.code() == StatusCode::kOutOfMemory);
  CHECK(std::strstr(s.message(), "out of memory allocating the frobnicator table") != nullptr);
  CHECK(v.size() == 1);
  CHECK(v[0] == 5);
  CHECK_FALSE(v.try_reserve(SIZE_MAX / 2));
  CHECK(v.reserve(SIZE_MAX / 8 + 1, "x").code() == StatusCode::kOutOfMemory);
  CHECK(v.assign(SIZE_MAX / 8 + 1, 1, "x").code() == StatusCode::kOutOfMemory);
  CHECK(v.size() == 1);
}

TEST_CASE("a failing realloc leaves the Vector as it was (injected failure)") {
  if (!inject::active()) {
    MESSAGE("skipped: no allocation interposer in sanitizer builds");
    return;
  }
  Vector<int> v;
  for (int i = 0; i < 4; ++i) REQUIRE(v.try_push_back(i));  // capacity 4
  const int* before = v.data();
  inject::start(1);
  const bool grown = v.try_push_back(4);  // needs a realloc: the injected failure
  const inject::Record r = inject::stop();
  CHECK(r.failed);
  CHECK(r.calls == 1);
  CHECK_FALSE(grown);
  CHECK(v.size() == 4);
  CHECK(v.data() == before);
  CHECK(v[3] == 3);
  inject::start(1);
  const Status s = v.push_back(4, "the test list");
  inject::stop();
  CHECK(s.code() == StatusCode::kOutOfMemory);
  CHECK(std::strstr(s.message(), "the test list") != nullptr);
  REQUIRE(v.try_push_back(4));  // no injection: works
  CHECK(v.size() == 5);
}

}  // namespace
}  // namespace edgeattn
