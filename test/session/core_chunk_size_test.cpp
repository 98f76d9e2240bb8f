// The session core step by step: a message's own chunk size
// (`OutgoingMessage::chunk_size`) cuts its chunks on the wire, decides
// whether it goes as one chunk, sizes its source reads and what it counts
// against the send queue.

#include "../support/core_steps.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

using msrp::ByteRange;
using msrp::errc;
using msrp::test::core_driver;
using msrp::test::sends_of;
using msrp::test::small_chunks;

namespace {

// The Byte-Range of every SEND written, by Message-ID.
std::map<std::string, std::vector<ByteRange>> ranges_by_message(const core_driver& d) {
    std::map<std::string, std::vector<ByteRange>> out;
    for (const auto& c : sends_of(d.written))
        out[c.message_id().value_or("")].push_back(c.byte_range().value_or(ByteRange{}));
    return out;
}

std::vector<ByteRange> cut(std::uint64_t total, std::uint64_t chunk) {
    std::vector<ByteRange> out;
    for (std::uint64_t start = 1; start <= total; start += chunk)
        out.push_back(ByteRange{start, std::min(total, start + chunk - 1), total});
    return out;
}

} // namespace

TEST_CASE("core: a message's chunk_size cuts its chunks; others keep the session's", "[core][chunk_size]") {
    core_driver d(small_chunks(100));
    auto& fine = d.send(std::string(250, 'f'), [](auto& m) { m.chunk_size = 40; });
    auto& coarse = d.send(std::string(250, 'c'), [](auto& m) { m.chunk_size = 1000; });
    auto& plain = d.send(std::string(250, 'p'));
    auto& sourced = d.send_from_source(std::string(300, 's'), SIZE_MAX, 300, 0, [](auto& m) { m.chunk_size = 64; });
    d.write_all();
    auto ranges = ranges_by_message(d);
    CHECK(ranges[fine.id] == cut(250, 40));
    CHECK(ranges[coarse.id] == cut(250, 250));
    CHECK(ranges[plain.id] == cut(250, 100));
    // A source is read a chunk at a time, its chunk: every read asks for 64.
    CHECK(ranges[sourced.id] == cut(300, 64));
    // The bodies on the wire are what the ranges say.
    std::map<std::string, std::string> bodies;
    for (const auto& c : sends_of(d.written)) {
        CHECK(c.data.size() <= 1000);
        bodies[c.message_id().value_or("")] += c.data;
    }
    CHECK(bodies[fine.id] == std::string(250, 'f'));
    CHECK(bodies[coarse.id] == std::string(250, 'c'));
    CHECK(bodies[sourced.id] == std::string(300, 's'));
    d.answer_all(0, 200);
    for (auto* m : {&fine, &coarse, &plain, &sourced}) {
        REQUIRE(m->finals() == 1);
        CHECK(m->final_report()->code == 200);
    }
    CHECK(d.core.queued_bytes() == 0);
    d.core.end(make_error_code(errc::session_closed));
    CHECK(d.broken_promises().empty());
}

TEST_CASE("core: a message that fits its own chunk goes at once, between the turns of large ones", "[core][chunk_size]") {
    auto o = small_chunks(100);
    o.max_interleaved_messages = 1;
    o.max_write_batch_bytes = 1; // one chunk per write: the order shows
    core_driver d(o);
    auto& big1 = d.send(std::string(250, '1'));
    auto& one_chunk = d.send(std::string(250, 'c'), [](auto& m) { m.chunk_size = 250; });
    auto& big2 = d.send(std::string(250, '2'));
    d.write_all();
    std::string order;
    for (const auto& c : sends_of(d.written)) {
        const auto id = c.message_id();
        order += id == big1.id ? '1' : id == big2.id ? '2' : id == one_chunk.id ? 'c' : '?';
    }
    // The 250 bytes fit its 250: it takes no turn and waits for none.
    CHECK(order == "1c11222");
}

TEST_CASE("core: a source message counts its own chunk against the queue; chunk_size 0 is refused",
          "[core][chunk_size]") {
    core_driver d(small_chunks(100));
    std::error_code ec;
    d.send("x", ec, [](auto& m) { m.chunk_size = 0; });
    CHECK(ec == errc::invalid_argument);
    CHECK(d.core.queued_bytes() == 0);
    auto m = std::make_shared<core_driver::scripted_source>();
    m->from_source = true;
    m->chunk_size = 64;
    CHECK(d.core.message_cost(*m) == 64 + msrp::detail::send_queue::item_overhead);
    m->chunk_size.reset();
    CHECK(d.core.message_cost(*m) == 100 + msrp::detail::send_queue::item_overhead);

    auto& sourced = d.send_from_source(std::string(1000, 's'), SIZE_MAX, 1000, 0, [](auto& m) { m.chunk_size = 64; });
    REQUIRE_FALSE(sourced.id.empty());
    CHECK(d.core.queued_bytes() == 64 + msrp::detail::send_queue::item_overhead);
    // A body in memory counts whole whatever its chunks, and is refunded as they go.
    auto& memory = d.send(std::string(1000, 'm'), [](auto& m) { m.chunk_size = 10; });
    CHECK(d.core.queued_bytes() == 64 + 1000 + 2 * msrp::detail::send_queue::item_overhead);
    REQUIRE(d.write_once());
    CHECK(d.core.queued_bytes() < 64 + 1000 + 2 * msrp::detail::send_queue::item_overhead);
    d.write_all();
    CHECK(d.core.queued_bytes() == 0);
    d.answer_all(0, 200);
    CHECK(sourced.finals() == 1);
    CHECK(memory.finals() == 1);
    CHECK(sends_of(d.written).size() == 16 + 100);
    d.core.end(make_error_code(errc::session_closed));
    CHECK(d.broken_promises().empty());
}
