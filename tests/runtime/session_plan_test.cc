// The pure arena plan (runtime/session_plan.h) on hand-made graphs: no
// model, no session. What every plan must satisfy: buffers alive at the
// same time never share bytes (checked for every pair), buffers that are not
// may, graph outputs and observed tensors live to the end, scratch lives
// only during its op, constants get no buffer, and the totals add up.
#include "runtime/session_plan.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

namespace edgeattn {
namespace {

constexpr size_t kMaxTensors = 64;

size_t round64(size_t v) { return (v + 63) / 64 * 64; }

// A graph written op by op; graph() gives the PlanGraph over its storage.
class TestGraph {
 public:
  // A tensor of `bytes` (an activation) or a constant; returns its index.
  int32_t tensor(size_t bytes, bool constant = false) {
    REQUIRE(bytes_.size() < kMaxTensors);
    constant_[bytes_.size()] = constant;
    bytes_.push_back(bytes);
    return static_cast<int32_t>(bytes_.size() - 1);
  }
  void op(std::vector<int32_t> inputs, std::vector<int32_t> outputs, size_t scratch = 0) {
    ins_.push_back(std::move(inputs));
    outs_.push_back(std::move(outputs));
    scratch_.push_back(scratch);
  }
  std::vector<int32_t> inputs, outputs, observed;

  PlanGraph graph() {
    ops_.clear();
    for (size_t i = 0; i < ins_.size(); ++i) {
      PlanOp op;
      op.inputs = Span<const int32_t>(ins_[i].data(), ins_[i].size());
      op.outputs = Span<const int32_t>(outs_[i].data(), outs_[i].size());
      op.scratch_bytes = scratch_[i];
      ops_.push_back(op);
    }
    PlanGraph g;
    g.ops = Span<const PlanOp>(ops_.data(), ops_.size());
    g.tensor_bytes = Span<const size_t>(bytes_.data(), bytes_.size());
    g.is_constant = Span<const bool>(constant_, bytes_.size());
    g.inputs = Span<const int32_t>(inputs.data(), inputs.size());
    g.outputs = Span<const int32_t>(outputs.data(), outputs.size());
    g.observed = Span<const int32_t>(observed.data(), observed.size());
    return g;
  }
  size_t op_count() const { return ins_.size(); }

 private:
  std::vector<size_t> bytes_;
  bool constant_[kMaxTensors] = {};
  std::vector<std::vector<int32_t>> ins_, outs_;
  std::vector<size_t> scratch_;
  std::vector<PlanOp> ops_;
};

ArenaPlan plan_of(TestGraph& t) {
  ArenaPlan plan;
  const Status s = plan_arena(t.graph(), &plan);
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  return plan;
}

bool alive_together(const PlannedBuffer& a, const PlannedBuffer& b) {
  return a.first_op <= b.last_op && b.first_op <= a.last_op;
}
bool share_bytes(const PlannedBuffer& a, const PlannedBuffer& b) {
  return a.offset < b.offset + b.bytes && b.offset < a.offset + a.bytes;
}

// The invariants of every plan, checked for every pair of buffers.
void check_plan(const ArenaPlan& plan) {
  size_t naive = 0, end = 0;
  for (size_t i = 0; i < plan.buffers.size(); ++i) {
    const PlannedBuffer& a = plan.buffers[i];
    CHECK(a.offset % 64 == 0);
    CHECK(a.bytes > kBufferSlack);
    CHECK(a.first_op <= a.last_op);
    CHECK(((a.tensor >= 0) != (a.op >= 0)));  // an activation or a scratch, never both
    naive += a.bytes;
    end = std::max(end, a.offset + round64(a.bytes));
    for (size_t j = i + 1; j < plan.buffers.size(); ++j) {
      const PlannedBuffer& b = plan.buffers[j];
      if (alive_together(a, b)) {
        CAPTURE(i);
        CAPTURE(j);
        CHECK_FALSE(share_bytes(a, b));
      }
    }
  }
  CHECK(plan.naive_bytes == naive);
  CHECK(plan.activation_bytes == end);
}

const PlannedBuffer& buffer_of(const ArenaPlan& plan, int32_t tensor) {
  REQUIRE(plan.tensor_buffer[static_cast<size_t>(tensor)] != kNoBuffer);
  return plan.buffers[plan.tensor_buffer[static_cast<size_t>(tensor)]];
}

TEST_CASE("a chain: buffers whose lifetimes do not overlap share bytes") {
  // x -> op0 -> a -> op1 -> b -> op2 -> c -> op3 -> y
  TestGraph t;
  const int32_t x = t.tensor(1000), a = t.tensor(1000), b = t.tensor(1000), c = t.tensor(1000), y = t.tensor(1000);
  t.op({x}, {a});
  t.op({a}, {b});
  t.op({b}, {c});
  t.op({c}, {y});
  t.inputs = {x};
  t.outputs = {y};
  const ArenaPlan plan = plan_of(t);
  check_plan(plan);
  CHECK(buffer_of(plan, x).first_op == 0);
  CHECK(buffer_of(plan, x).last_op == 0);
  CHECK(buffer_of(plan, a).first_op == 0);
  CHECK(buffer_of(plan, a).last_op == 1);
  CHECK(buffer_of(plan, c).first_op == 2);
  CHECK(buffer_of(plan, c).last_op == 3);
  // Two live at a time: x, b and y take one slot, a and c the other.
  CHECK(plan.activation_bytes == 2 * round64(1000 + kBufferSlack));
  CHECK(plan.naive_bytes == 5 * (1000 + kBufferSlack));
  CHECK(buffer_of(plan, x).offset == buffer_of(plan, b).offset);
  CHECK(buffer_of(plan, a).offset == buffer_of(plan, c).offset);
  CHECK(buffer_of(plan, b).offset == buffer_of(plan, y).offset);
}

TEST_CASE("constants and tensors the graph does not use get no buffer") {
  TestGraph t;
  const int32_t x = t.tensor(256), w = t.tensor(4096, /*constant=*/true), y = t.tensor(256);
  const int32_t unused = t.tensor(512);
  t.op({x, w, -1}, {y});  // -1: an absent optional input
  t.inputs = {x};
  t.outputs = {y};
  const ArenaPlan plan = plan_of(t);
  check_plan(plan);
  CHECK(plan.tensor_buffer[static_cast<size_t>(w)] == kNoBuffer);
  CHECK(plan.tensor_buffer[static_cast<size_t>(unused)] == kNoBuffer);
  CHECK(plan.tensor_offset(static_cast<size_t>(w)) == kNoBuffer);
  CHECK(plan.buffers.size() == 2);
  CHECK(plan.naive_bytes == 2 * (256 + kBufferSlack));
}

TEST_CASE("graph outputs and observed tensors live to the end of the graph") {
  // x -> op0 -> h -> op1 -> early (an output) ; h -> op2 -> mid (observed) -> op3 -> late (an output)
  TestGraph t;
  const int32_t x = t.tensor(512), h = t.tensor(512), early = t.tensor(512), mid = t.tensor(512),
                late = t.tensor(512), tail = t.tensor(512);
  t.op({x}, {h});
  t.op({h}, {early});
  t.op({h}, {mid});
  t.op({mid}, {late});
  t.op({late}, {tail});
  t.inputs = {x};
  t.outputs = {early, tail};
  t.observed = {mid};
  const ArenaPlan plan = plan_of(t);
  check_plan(plan);
  const int n_ops = static_cast<int>(t.op_count());
  CHECK(buffer_of(plan, early).last_op == n_ops);
  CHECK(buffer_of(plan, tail).last_op == n_ops);
  CHECK(buffer_of(plan, mid).last_op == n_ops);
  CHECK(buffer_of(plan, late).last_op == 4);  // neither: dies with its last reader
  CHECK(buffer_of(plan, h).last_op == 2);
  // late was written after mid and early and is freed before the end:
  // never on their bytes.
  CHECK_FALSE(share_bytes(buffer_of(plan, late), buffer_of(plan, early)));
  CHECK_FALSE(share_bytes(buffer_of(plan, late), buffer_of(plan, mid)));
}

TEST_CASE("scratch lives only while its op runs") {
  // x -> op0 (scratch 3000) -> a -> op1 -> b -> op2 (scratch 2000) -> y
  TestGraph t;
  const int32_t x = t.tensor(1024), a = t.tensor(1024), b = t.tensor(1024), y = t.tensor(1024);
  t.op({x}, {a}, 3000);
  t.op({a}, {b});
  t.op({b}, {y}, 2000);
  t.inputs = {x};
  t.outputs = {y};
  const ArenaPlan plan = plan_of(t);
  check_plan(plan);
  REQUIRE(plan.scratch_buffer[0] != kNoBuffer);
  CHECK(plan.scratch_buffer[1] == kNoBuffer);
  REQUIRE(plan.scratch_buffer[2] != kNoBuffer);
  for (size_t i : {size_t{0}, size_t{2}}) {
    const PlannedBuffer& s = plan.buffers[plan.scratch_buffer[i]];
    CHECK(s.first_op == static_cast<int>(i));
    CHECK(s.last_op == static_cast<int>(i));
    CHECK(s.op == static_cast<int32_t>(i));
    CHECK(s.tensor == -1);
    CHECK(plan.scratch_offset(i) == s.offset);
  }
  // Both scratch buffers are dead outside their op: the second reuses the
  // first one's bytes (the largest buffer, placed at 0).
  CHECK(plan.scratch_offset(0) == plan.scratch_offset(2));
  CHECK(plan.naive_bytes == 4 * (1024 + kBufferSlack) + (3000 + kBufferSlack) + (2000 + kBufferSlack));
}

TEST_CASE("random graphs: tensors alive together never overlap, lifetimes are those of the graph") {
  std::mt19937 rng(1234);
  for (int round = 0; round < 200; ++round) {
    CAPTURE(round);
    TestGraph t;
    std::vector<int32_t> written = {t.tensor(64 + rng() % 5000)};
    t.inputs = {written[0]};
    const int32_t w = t.tensor(999, /*constant=*/true);
    const int n_ops = 1 + static_cast<int>(rng() % 12);
    std::vector<int> expect_first(kMaxTensors, -9), expect_last(kMaxTensors, -9);
    expect_first[0] = expect_last[0] = 0;
    for (int i = 0; i < n_ops; ++i) {
      // 1-3 inputs from anything written so far, plus the constant.
      std::vector<int32_t> in = {w};
      for (int k = 0, n = 1 + static_cast<int>(rng() % 3); k < n; ++k) {
        const int32_t src = written[rng() % written.size()];
        in.push_back(src);
        expect_last[static_cast<size_t>(src)] = i;
      }
      const int32_t out = t.tensor(1 + rng() % 8000);
      expect_first[static_cast<size_t>(out)] = expect_last[static_cast<size_t>(out)] = i;
      t.op(in, {out}, rng() % 3 == 0 ? 1 + rng() % 4000 : 0);
      written.push_back(out);
    }
    t.outputs = {written.back()};
    expect_last[static_cast<size_t>(written.back())] = n_ops;
    if (written.size() > 2 && rng() % 2 == 0) {
      t.observed = {written[1]};
      expect_last[static_cast<size_t>(written[1])] = n_ops;
    }
    const ArenaPlan plan = plan_of(t);
    check_plan(plan);
    CHECK(plan.tensor_buffer[static_cast<size_t>(w)] == kNoBuffer);
    for (int32_t x : written) {
      CAPTURE(x);
      CHECK(buffer_of(plan, x).first_op == expect_first[static_cast<size_t>(x)]);
      CHECK(buffer_of(plan, x).last_op == expect_last[static_cast<size_t>(x)]);
    }
  }
}

TEST_CASE("a plan reports what is wrong with its graph") {
  TestGraph t;
  const int32_t x = t.tensor(64), w = t.tensor(64, /*constant=*/true), y = t.tensor(64), z = t.tensor(64);
  ArenaPlan plan;
  SUBCASE("a tensor index out of range") {
    t.op({x, 17}, {y});
    t.inputs = {x};
    t.outputs = {y};
    const Status s = plan_arena(t.graph(), &plan);
    CHECK(s.code() == StatusCode::kInvalidModel);
    CHECK(std::strstr(s.message(), "tensor index 17 out of range") != nullptr);
  }
  SUBCASE("an activation read before any op writes it") {
    t.op({x}, {y});
    t.op({z}, {y});
    t.inputs = {x};
    t.outputs = {y};
    const Status s = plan_arena(t.graph(), &plan);
    CHECK(s.code() == StatusCode::kInvalidModel);
    CHECK(std::strstr(s.message(), "op 1 reads tensor 3 before any op writes it") != nullptr);
  }
  SUBCASE("observing a constant or a tensor the graph does not use") {
    t.op({x, w}, {y});
    t.inputs = {x};
    t.outputs = {y};
    for (int32_t bad : {w, z}) {
      t.observed = {bad};
      const Status s = plan_arena(t.graph(), &plan);
      CHECK(s.code() == StatusCode::kInvalidArgument);
      CHECK(std::strstr(s.message(), "is not an activation of this graph") != nullptr);
    }
  }
}

TEST_CASE("the persistent head: regions in request order, 64-byte aligned, tables shared by key") {
  PersistentLayout p;
  Result<size_t> kv = p.request(1000, PersistentKind::kKvCache, 3);
  REQUIRE(kv.is_ok());
  CHECK(*kv == 0);
  bool owner = false;
  Result<size_t> t1 = p.request_shared("rope", 42, 100, 4, &owner);
  REQUIRE(t1.is_ok());
  CHECK(owner);
  CHECK(*t1 == 1024);
  Result<size_t> t2 = p.request_shared("rope", 42, 100, 7, &owner);
  REQUIRE(t2.is_ok());
  CHECK_FALSE(owner);
  CHECK(*t2 == *t1);
  Result<size_t> t3 = p.request_shared("rope", 43, 100, 8, &owner);
  REQUIRE(t3.is_ok());
  CHECK(owner);
  CHECK(*t3 == 1024 + 128);
  CHECK(p.bytes == 1024 + 128 + 128);
  CHECK(p.kv_cache_bytes == 1024);
  REQUIRE(p.regions.size() == 3);
  CHECK(p.regions[1].users == 2);
  CHECK(p.regions[1].op == 4);
  CHECK(p.has(PersistentKind::kKvCache));
  CHECK_FALSE(p.has(PersistentKind::kCallerScratch));
}

}  // namespace
}  // namespace edgeattn
