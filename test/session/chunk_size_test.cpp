// A message's own chunk size over real loopback: a peer reading the raw
// chunks sees that message cut at `OutgoingMessage::chunk_size` and the
// session's other messages at `session_options::chunk_size`.

#include "../support/session_helpers.hpp"
#include "../support/io_test.hpp"

#include <msrp/protocol/make_chunk.hpp>

#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using msrp::test::report_log;

namespace {

// What a raw peer read of one message.
struct message_seen {
    std::string body;
    std::vector<msrp::ByteRange> ranges;
    bool complete = false;
};

} // namespace

TEST_CASE("chunk_size per message: the wire shows that message's chunks at its size, the others at the session's",
          "[session][chunk_size]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        msrp::session_options options;
        options.chunk_size = 16 * 1024;
        options.response_timeout = 5s;
        msrp::MSRPSession sender(std::move(pair.connected), options);
        auto& peer = *pair.accepted;

        report_log reports;
        msrp::OutgoingMessage small_frames;
        small_frames.content_type = "application/octet-stream";
        small_frames.data = std::string(100000, 's');
        small_frames.chunk_size = 3000;
        const auto small_id = sender.send_message(std::move(small_frames), reports.handler());
        msrp::OutgoingMessage session_frames;
        session_frames.content_type = "application/octet-stream";
        session_frames.data = std::string(40000, 'd');
        const auto default_id = sender.send_message(std::move(session_frames), reports.handler());
        msrp::OutgoingMessage refused;
        refused.data = "x";
        refused.chunk_size = 0;
        std::error_code refused_ec;
        sender.send_message(std::move(refused), {}, refused_ec);
        CHECK(refused_ec == msrp::errc::invalid_argument);

        std::map<std::string, message_seen> seen;
        for (int i = 0; i < 1000 && !(seen[small_id].complete && seen[default_id].complete); ++i) {
            std::error_code ec;
            auto chunk = co_await peer.read_chunk(std::nullopt, msrp::test::redirect(ec));
            REQUIRE_FALSE(ec);
            if (chunk.method != "SEND")
                continue;
            auto& m = seen[chunk.message_id().value_or("")];
            m.body += chunk.data;
            m.ranges.push_back(chunk.byte_range().value_or(msrp::ByteRange{}));
            m.complete = chunk.contflag == msrp::contflag::complete;
            const auto ok = msrp::make_response(chunk, 200, peer.local_uri());
            co_await peer.write_chunk(ok);
        }
        REQUIRE(seen[small_id].complete);
        REQUIRE(seen[default_id].complete);
        CHECK(seen[small_id].body == std::string(100000, 's'));
        CHECK(seen[default_id].body == std::string(40000, 'd'));
        // 100000 in 3000s: 33 full chunks and one of 1000.
        REQUIRE(seen[small_id].ranges.size() == 34);
        for (std::size_t i = 0; i < 34; ++i) {
            const std::uint64_t start = 1 + 3000 * i;
            CHECK(seen[small_id].ranges[i] == msrp::ByteRange{start, std::min<std::uint64_t>(start + 2999, 100000), 100000});
        }
        // 40000 in 16 KiB: 16384, 16384, 7232.
        REQUIRE(seen[default_id].ranges.size() == 3);
        CHECK(seen[default_id].ranges[0] == msrp::ByteRange{1, 16384, 40000});
        CHECK(seen[default_id].ranges[2] == msrp::ByteRange{32769, 40000, 40000});
        REQUIRE_EVENTUALLY(reports.final_of(small_id) && reports.final_of(default_id));
        CHECK(reports.final_of(small_id)->code == 200);
        CHECK(reports.final_of(default_id)->code == 200);
        CHECK(sender.queued_bytes() == 0);
    });
}
