// MSRPSession moving large messages over real loopback sockets.

#include "../support/session_helpers.hpp"
#include "../support/io_test.hpp"

#include <msrp/protocol/range_set.hpp>

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/post.hpp>

#include <openssl/evp.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <stdexcept>

using namespace std::chrono_literals;
using msrp::errc;
using msrp::test::report_log;

namespace {

constexpr std::uint64_t unknown = msrp::ByteRange::unknown;
constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * 1024;

msrp::session_options quick_options() {
    msrp::session_options o;
    o.response_timeout = 5s;
    return o;
}

/// `n` pseudo-random bytes, the same for the same seed.
std::string random_bytes(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 gen(seed);
    std::string out(n, '\0');
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const std::uint64_t v = gen();
        std::memcpy(out.data() + i, &v, 8);
    }
    for (; i < n; ++i)
        out[i] = static_cast<char>(gen());
    return out;
}

std::string sha256_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr))
        throw std::runtime_error("EVP_Digest failed");
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

msrp::OutgoingMessage message_of(std::string body, std::string type = "application/octet-stream") {
    msrp::OutgoingMessage m;
    m.data = std::move(body);
    m.content_type = std::move(type);
    return m;
}

/// One message as the receiver got it, put back together by Byte-Range.
struct rebuilt {
    std::string bytes;
    msrp::range_set have;
    std::uint64_t total = unknown;   ///< the last total a piece named
    std::uint64_t delivered = 0;     ///< bytes handed over, duplicates included
    std::uint64_t duplicate_bytes = 0;
    int pieces = 0;                  ///< deliveries with data or '$' ('#' not counted)
    int more = 0;                    ///< pieces with '+'
    int completes = 0;               ///< pieces with '$'
    int aborts = 0;                  ///< deliveries with '#'
    int after_end = 0;               ///< deliveries after a '$' or '#'
    int bad_ranges = 0;              ///< Byte-Range missing or not matching the data
    std::error_code failure;         ///< of a '#'
    std::vector<msrp::ByteRange> ranges;

    void add(const msrp::IncomingMessage& m) {
        if (completes > 0 || aborts > 0)
            ++after_end;
        if (m.contflag == msrp::contflag::aborted) {
            ++aborts;
            failure = m.failure;
            return;
        }
        ++pieces;
        if (m.contflag == msrp::contflag::complete)
            ++completes;
        else if (m.contflag == msrp::contflag::more)
            ++more;
        const auto r = m.byte_range();
        if (!r) {
            ++bad_ranges;
            return;
        }
        ranges.push_back(*r);
        const std::uint64_t n = m.data.size();
        if (r->end != unknown && r->end + 1 - r->start != n)
            ++bad_ranges;
        if (r->total != unknown)
            total = r->total;
        delivered += n;
        if (n == 0)
            return;
        const std::uint64_t first = r->start;
        const std::uint64_t last = first + n - 1;
        if (bytes.size() < last)
            bytes.resize(static_cast<std::size_t>(last));
        std::uint64_t fresh = 0;
        for (const auto& [a, b] : have.insert(first, last))
            fresh += b - a + 1;
        duplicate_bytes += n - fresh;
        std::memcpy(bytes.data() + (first - 1), m.data.data(), m.data.size());
    }
};

/// What the receiver's incoming handler was given: messages rebuilt by
/// Message-ID, and the order of the deliveries.
struct receiver_log {
    std::map<std::string, rebuilt> messages;
    std::vector<std::pair<std::string, char>> order; ///< Message-ID and flag of every SEND delivery
    std::vector<msrp::IncomingMessage> whole;         ///< the deliveries of `keep_whole` messages, as given
    std::set<std::string> keep_whole;
    std::optional<std::error_code> ended;
    /// Called first with each delivery (may call into the session).
    std::function<void(const msrp::IncomingMessage&)> on_each;

    void add(msrp::IncomingMessage m) {
        if (m.method != "SEND")
            return;
        const auto id = m.message_id().value_or("");
        order.emplace_back(id, m.contflag);
        if (on_each)
            on_each(m);
        messages[id].add(m);
        if (keep_whole.contains(id))
            whole.push_back(std::move(m));
    }

    msrp::incoming_handler handler() {
        return [this](msrp::IncomingMessage m, std::error_code ec) {
            if (ec)
                ended = ec;
            else
                add(std::move(m));
        };
    }

    const rebuilt* find(const std::string& id) const {
        const auto it = messages.find(id);
        return it == messages.end() ? nullptr : &it->second;
    }
    bool has_complete(const std::string& id) const {
        const auto* m = find(id);
        return m && m->completes > 0;
    }
    bool has_abort(const std::string& id) const {
        const auto* m = find(id);
        return m && m->aborts > 0;
    }
    int pieces_of(const std::string& id) const {
        const auto* m = find(id);
        return m ? m->pieces : 0;
    }
    /// Index in `order` of the first delivery of `id` with flag `flag`, or -1.
    long index_of(const std::string& id, char flag) const {
        for (std::size_t i = 0; i < order.size(); ++i)
            if (order[i].first == id && order[i].second == flag)
                return static_cast<long>(i);
        return -1;
    }
};

/// Checks that `got` is `expected` whole: every byte once, one '$', last.
void check_rebuilt(const rebuilt* got, const std::string& expected) {
    REQUIRE(got != nullptr);
    CHECK(got->completes == 1);
    CHECK(got->aborts == 0);
    CHECK(got->after_end == 0);
    CHECK(got->bad_ranges == 0);
    CHECK(got->duplicate_bytes == 0);
    CHECK(got->delivered == expected.size());
    CHECK(got->total == expected.size());
    CHECK(got->have.covers(1, expected.size()));
    CHECK(got->have.covered_bytes() == expected.size());
    CHECK(got->bytes.size() == expected.size());
    CHECK(sha256_hex(got->bytes) == sha256_hex(expected));
}

} // namespace

// ---- 1. large messages come in pieces, small ones whole ----------------------

TEST_CASE("an 8 MiB message arrives in pieces that rebuild it, each byte once", "[session][transfer]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        receiver_log received;
        report_log reports;
        msrp::MSRPSession receiver(std::move(pair.accepted), quick_options(), received.handler());
        auto options = quick_options();
        options.chunk_size = 64 * KiB;
        msrp::MSRPSession sender(std::move(pair.connected), options);

        const std::string body = random_bytes(8 * MiB, 1);
        const auto id = sender.send_message(message_of(body), reports.handler());
        const bool delivered = co_await msrp::test::wait_until(
            [&] { return received.has_complete(id) && reports.final_of(id).has_value(); }, 50s);
        REQUIRE(delivered);
        const auto* got = received.find(id);
        check_rebuilt(got, body);
        // Delivered as it arrived, not held whole: several pieces, all '+'
        // but the completing one, which came last.
        CHECK(got->pieces > 1);
        CHECK(got->more == got->pieces - 1);
        CHECK(received.order.back() == std::make_pair(id, msrp::contflag::complete));
        for (const auto& r : got->ranges)
            CHECK(r.total == 8 * MiB);
        const auto final = reports.final_of(id);
        REQUIRE(final);
        CHECK(final->code == 200);
        CHECK_FALSE(final->error);
        CHECK(final->range == msrp::ByteRange{1, 8 * MiB, 8 * MiB});
        CHECK(reports.finals().size() == 1);
        CHECK(receiver.messages_in_progress() == 0);
        CHECK(sender.queued_bytes() == 0);
        CHECK(sender.pending_transactions() == 0);
    }, std::chrono::seconds(60));
}

TEST_CASE("a 512 KiB message sent in chunks arrives whole as one message", "[session][transfer]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        receiver_log received;
        report_log reports;
        msrp::MSRPSession receiver(std::move(pair.accepted), quick_options(), received.handler());
        auto options = quick_options();
        options.chunk_size = 64 * KiB;
        msrp::MSRPSession sender(std::move(pair.connected), options);

        const std::string body = random_bytes(512 * KiB, 2);
        auto message = message_of(body);
        message.message_id = "whole-512k";
        received.keep_whole.insert(message.message_id);
        const auto id = sender.send_message(std::move(message), reports.handler());
        CHECK(id == "whole-512k");
        const bool delivered = co_await msrp::test::wait_until(
            [&] { return received.has_complete(id) && reports.final_of(id).has_value(); });
        REQUIRE(delivered);
        REQUIRE(received.whole.size() == 1);
        const auto& m = received.whole[0];
        CHECK(m.complete());
        CHECK(m.contflag == msrp::contflag::complete);
        CHECK(m.byte_range() == msrp::ByteRange{1, 512 * KiB, 512 * KiB});
        CHECK(m.data.size() == body.size());
        CHECK(sha256_hex(m.data) == sha256_hex(body));
        CHECK(m.content_type() == "application/octet-stream");
        CHECK(received.pieces_of(id) == 1);
        CHECK(reports.final_of(id)->code == 200);
        CHECK_FALSE(reports.final_of(id)->error);
    });
}

// ---- 2. chunks out of order, duplicates -----------------------------------

namespace {

/// The chunk of `body` holding bytes [start, start + size) for a raw transport.
msrp::Chunk raw_chunk(msrp::MSRPTransport& t, const std::string& body, const std::string& id, std::size_t start,
                      std::size_t size) {
    msrp::make_chunk_params p;
    p.data = body.substr(start - 1, size);
    p.start = start;
    p.end = start - 1 + size;
    p.length = body.size();
    p.message_id = id;
    p.contflag = start - 1 + size == body.size() ? msrp::contflag::complete : msrp::contflag::more;
    p.content_type = "application/octet-stream";
    return t.make_chunk(p);
}

/// Writes `chunk` and reads its response from the raw transport.
asio::awaitable<msrp::IncomingChunk> write_and_answer(msrp::MSRPTransport& t, const msrp::Chunk& chunk) {
    co_await t.write_chunk(chunk);
    std::optional<std::size_t> whole;
    auto response = co_await t.read_chunk(whole);
    co_return response;
}

} // namespace

TEST_CASE("one shared body sent as several messages, large and small: each arrives whole; none is kept after",
          "[session][transfer]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        msrp::test::incoming_log received;
        report_log reports;
        auto options = quick_options();
        options.chunk_size = 64 * KiB;
        msrp::MSRPSession receiver(std::move(pair.accepted), options, received.handler());
        msrp::MSRPSession sender(std::move(pair.connected), options);
        const auto large = std::make_shared<const std::string>(random_bytes(300 * KiB, 7));
        const auto small = std::make_shared<const std::string>("the same line for everyone in the room");
        std::vector<std::string> ids;
        for (int i = 0; i < 3; ++i) {
            msrp::OutgoingMessage m;
            m.shared_data = i == 1 ? small : large;
            m.data = "ignored when shared_data is set";
            m.content_type = "application/octet-stream";
            ids.push_back(sender.send_message(std::move(m), reports.handler()));
        }
        CHECK(sender.queued_bytes() >= 2 * large->size());
        REQUIRE_EVENTUALLY(received.messages.size() == 3 && reports.finals().size() == 3);
        std::map<std::string, std::string> got;
        for (const auto& m : received.messages) {
            CHECK(m.complete());
            got[m.message_id().value_or("")] = m.data;
        }
        CHECK(sha256_hex(got[ids[0]]) == sha256_hex(*large));
        CHECK(got[ids[1]] == *small);
        CHECK(sha256_hex(got[ids[2]]) == sha256_hex(*large));
        for (const auto& r : reports.finals())
            CHECK(r.code == 200);
        // Settled messages hold no reference to the body.
        CHECK(large.use_count() == 1);
        CHECK(small.use_count() == 1);
        CHECK(sender.queued_bytes() == 0);
    });
}

TEST_CASE("bursts a second apart arrive intact: the read buffer gives back its pages in between",
          "[session][transfer]") {
    // Each burst fills the receiver's read buffer far past what it keeps
    // when empty; between bursts the rest of its pages go back to the
    // kernel and come back zeroed. Not a byte may be lost to that.
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        msrp::test::incoming_log received;
        report_log reports;
        msrp::MSRPSession receiver(std::move(pair.accepted), quick_options(), received.handler());
        msrp::MSRPSession sender(std::move(pair.connected), quick_options());
        std::map<std::string, std::string> sent;
        for (int burst = 0; burst < 3; ++burst) {
            for (int i = 0; i < 300; ++i) {
                auto body = random_bytes(1000 + i, 100 * burst + i);
                const auto id = sender.send_message(message_of(body), reports.handler());
                sent[id] = std::move(body);
            }
            REQUIRE_EVENTUALLY(received.messages.size() == sent.size());
            co_await msrp::test::sleep_for(std::chrono::milliseconds(1100));
        }
        REQUIRE_EVENTUALLY(reports.finals().size() == sent.size());
        std::size_t intact = 0;
        for (const auto& m : received.messages)
            if (m.complete() && sent[m.message_id().value_or("")] == m.data)
                ++intact;
        CHECK(intact == sent.size());
        for (const auto& r : reports.finals())
            CHECK(r.code == 200);
    });
}

TEST_CASE("chunks sent out of order make one whole message; a duplicate is answered 200 and not delivered",
          "[session][transfer]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        receiver_log received;
        msrp::MSRPSession receiver(std::move(pair.accepted), quick_options(), received.handler());
        msrp::MSRPTransport& raw = *pair.connected; // no session on this side

        const std::string body = random_bytes(3000, 3);
        const std::string id = "out-of-order";
        received.keep_whole.insert(id);
        const std::vector<msrp::Chunk> chunks = {raw_chunk(raw, body, id, 2001, 1000),
                                                 raw_chunk(raw, body, id, 1, 1000),
                                                 raw_chunk(raw, body, id, 1001, 1000)};
        CHECK(chunks[0].contflag == msrp::contflag::complete);
        CHECK(chunks[1].contflag == msrp::contflag::more);
        for (const auto& c : chunks)
            co_await raw.write_chunk(c);
        std::set<std::string> answered, sent;
        for (const auto& c : chunks)
            sent.insert(c.transaction_id);
        for (int i = 0; i < 3; ++i) {
            std::optional<std::size_t> whole;
            const auto response = co_await raw.read_chunk(whole);
            CHECK(response.is_response());
            CHECK(response.code == 200);
            answered.insert(response.transaction_id);
        }
        CHECK(answered == sent);
        const bool delivered = co_await msrp::test::wait_until([&] { return received.has_complete(id); });
        REQUIRE(delivered);
        REQUIRE(received.whole.size() == 1);
        const auto& m = received.whole[0];
        CHECK(m.complete());
        CHECK(m.byte_range() == msrp::ByteRange{1, 3000, 3000});
        CHECK(m.data.size() == body.size());
        CHECK(sha256_hex(m.data) == sha256_hex(body));

        // The first chunk again (a resend: a new transaction): answered 200, not delivered again.
        auto again = raw_chunk(raw, body, id, 1, 1000);
        const auto response = co_await write_and_answer(raw, again);
        CHECK(response.is_response());
        CHECK(response.transaction_id == again.transaction_id);
        CHECK(response.code == 200);
        // A later message goes through, so everything before it was handled.
        const std::string next_body = "after the duplicate";
        auto next = raw_chunk(raw, next_body, "next", 1, next_body.size());
        const auto next_response = co_await write_and_answer(raw, next);
        CHECK(next_response.code == 200);
        const bool next_delivered = co_await msrp::test::wait_until([&] { return received.has_complete("next"); });
        REQUIRE(next_delivered);
        CHECK(received.whole.size() == 1);
        CHECK(received.pieces_of(id) == 1);
        CHECK(received.find(id)->after_end == 0);
        CHECK(receiver.messages_in_progress() == 0);
    });
}

TEST_CASE("chunks out of order and a duplicate in progress: pieces carry each byte once", "[session][transfer]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        receiver_log received;
        auto options = quick_options();
        options.receive.max_whole_message_bytes = 1000; // 3000 bytes come in pieces
        msrp::MSRPSession receiver(std::move(pair.accepted), options, received.handler());
        msrp::MSRPTransport& raw = *pair.connected;

        const std::string body = random_bytes(3000, 4);
        const std::string id = "pieces";
        const std::vector<msrp::Chunk> chunks = {raw_chunk(raw, body, id, 1001, 1000),
                                                 raw_chunk(raw, body, id, 1001, 1000), // duplicate
                                                 raw_chunk(raw, body, id, 2001, 1000),
                                                 raw_chunk(raw, body, id, 1, 1000)};
        for (const auto& c : chunks) {
            const auto response = co_await write_and_answer(raw, c);
            CHECK(response.is_response());
            CHECK(response.transaction_id == c.transaction_id);
            CHECK(response.code == 200);
        }
        const bool delivered = co_await msrp::test::wait_until([&] { return received.has_complete(id); });
        REQUIRE(delivered);
        const auto* got = received.find(id);
        check_rebuilt(got, body);
        CHECK(got->pieces == 3);
        REQUIRE(got->ranges.size() == 3);
        CHECK(got->ranges[0] == msrp::ByteRange{1001, 2000, 3000});
        CHECK(got->ranges[1] == msrp::ByteRange{2001, 3000, 3000});
        CHECK(got->ranges[2] == msrp::ByteRange{1, 1000, 3000});
        CHECK(received.order.back() == std::make_pair(id, msrp::contflag::complete));
        CHECK(receiver.messages_in_progress() == 0);
    });
}

// ---- 3. a short message is not stuck behind a large one ------------------

TEST_CASE("a chat message sent during a 50 MiB transfer arrives before the transfer completes",
          "[session][transfer]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        receiver_log received;
        report_log reports;
        msrp::MSRPSession receiver(std::move(pair.accepted), quick_options(), received.handler());
        auto options = quick_options();
        options.chunk_size = 16 * KiB;
        options.max_queued_bytes = 128 * MiB; // both messages fit in the queue
        msrp::MSRPSession sender(std::move(pair.connected), options);

        const std::string big = random_bytes(50 * MiB, 5);
        const auto big_id = sender.send_message(message_of(big), reports.handler());
        // Shortly after: as soon as the transfer is under way (its first
        // piece arrived), the chat message is queued.
        const std::string chat = "are you still there?";
        std::string chat_id;
        received.on_each = [&](const msrp::IncomingMessage& m) {
            if (chat_id.empty() && m.message_id() == big_id)
                chat_id = sender.send_message(message_of(chat, "text/plain"), reports.handler());
        };

        const bool both_settled = co_await msrp::test::wait_until([&] { return reports.finals().size() == 2; }, 55s);
        REQUIRE(both_settled);
        REQUIRE_FALSE(chat_id.empty());
        const long chat_at = received.index_of(chat_id, msrp::contflag::complete);
        const long big_done_at = received.index_of(big_id, msrp::contflag::complete);
        REQUIRE(chat_at >= 0);
        REQUIRE(big_done_at >= 0);
        CHECK(chat_at < big_done_at);
        CHECK(received.pieces_of(chat_id) == 1);
        CHECK(received.find(chat_id)->bytes == chat);
        check_rebuilt(received.find(big_id), big);
        const auto big_final = reports.final_of(big_id);
        const auto chat_final = reports.final_of(chat_id);
        REQUIRE(big_final);
        REQUIRE(chat_final);
        CHECK(big_final->code == 200);
        CHECK_FALSE(big_final->error);
        CHECK(chat_final->code == 200);
        CHECK_FALSE(chat_final->error);
    }, std::chrono::seconds(60));
}

// ---- 4. abort_message ---------------------------------------------------

TEST_CASE("abort_message: the receiver gets '#', the sender's final report says aborted, the session goes on",
          "[session][transfer]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        receiver_log received;
        report_log reports;
        msrp::MSRPSession receiver(std::move(pair.accepted), quick_options(), received.handler());
        msrp::MSRPSession sender(std::move(pair.connected), quick_options());

        const std::string big = random_bytes(20 * MiB, 6);
        const auto id = sender.send_message(message_of(big), reports.handler());
        // Aborted as soon as the receiver got the first piece.
        std::optional<bool> abort_accepted;
        received.on_each = [&](const msrp::IncomingMessage& m) {
            if (!abort_accepted && m.message_id() == id)
                abort_accepted = sender.abort_message(id);
        };
        const bool aborted = co_await msrp::test::wait_until(
            [&] { return received.has_abort(id) && reports.final_of(id).has_value(); });
        REQUIRE(aborted);
        REQUIRE(abort_accepted.has_value());
        CHECK(*abort_accepted);
        const auto* got = received.find(id);
        CHECK(got->aborts == 1);
        CHECK(got->failure == errc::message_aborted);
        CHECK(got->completes == 0);
        CHECK(got->duplicate_bytes == 0);
        CHECK(got->delivered < big.size());
        const auto final = reports.final_of(id);
        CHECK(final->error == errc::message_aborted);
        CHECK(final->code != 200);
        CHECK(reports.finals().size() == 1);
        CHECK_FALSE(sender.abort_message(id)); // no longer being sent

        // The session goes on: a message sent afterwards goes through, and
        // nothing more of the aborted one came before it.
        const std::string after = "after the abort";
        const auto after_id = sender.send_message(message_of(after, "text/plain"), reports.handler());
        const bool after_delivered = co_await msrp::test::wait_until(
            [&] { return received.has_complete(after_id) && reports.final_of(after_id).has_value(); });
        REQUIRE(after_delivered);
        CHECK(received.find(after_id)->bytes == after);
        CHECK(reports.final_of(after_id)->code == 200);
        CHECK(received.find(id)->after_end == 0);
        CHECK(received.find(id)->aborts == 1);
        CHECK(reports.finals().size() == 2);
        CHECK(receiver.messages_in_progress() == 0);
        CHECK(sender.is_open());
        CHECK(receiver.is_open());
    }, std::chrono::seconds(60));
}

// ---- 5. body sources ---------------------------------------------------

namespace {

struct source_state {
    std::string data;
    std::size_t offset = 0;
    std::size_t max_read = 0; ///< at most this many bytes per call
    int calls = 0;
};

/// A body source reading `state->data` in uneven steps, each after a turn
/// of the event loop (as a file or a socket would).
msrp::OutgoingMessage::body_source source_of(std::shared_ptr<source_state> state) {
    return [state](std::span<char> buffer, std::error_code& ec) -> asio::awaitable<std::size_t> {
        ec = {};
        ++state->calls;
        const auto executor = co_await asio::this_coro::executor;
        co_await asio::post(executor, asio::use_awaitable);
        const std::size_t n = std::min({buffer.size(), state->data.size() - state->offset, state->max_read});
        std::memcpy(buffer.data(), state->data.data() + state->offset, n);
        state->offset += n;
        co_return n;
    };
}

} // namespace

TEST_CASE("a 3 MiB message read from a body source arrives intact, with and without its size",
          "[session][transfer]") {
    const bool size_known = GENERATE(false, true);
    INFO("size known: " << size_known);
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        receiver_log received;
        report_log reports;
        msrp::MSRPSession receiver(std::move(pair.accepted), quick_options(), received.handler());
        msrp::MSRPSession sender(std::move(pair.connected), quick_options());

        auto state = std::make_shared<source_state>();
        state->data = random_bytes(3 * MiB, 7);
        state->max_read = 10007;
        msrp::OutgoingMessage message;
        message.content_type = "application/octet-stream";
        message.source = source_of(state);
        if (size_known)
            message.size = state->data.size();
        const auto id = sender.send_message(std::move(message), reports.handler());
        const bool delivered = co_await msrp::test::wait_until(
            [&] { return received.has_complete(id) && reports.final_of(id).has_value(); }, 30s);
        REQUIRE(delivered);
        check_rebuilt(received.find(id), state->data);
        CHECK(state->offset == state->data.size());
        CHECK(state->calls > 1);
        const auto final = reports.final_of(id);
        CHECK(final->code == 200);
        CHECK_FALSE(final->error);
        CHECK(final->range == msrp::ByteRange{1, 3 * MiB, 3 * MiB});
        if (size_known) {
            for (const auto& r : received.find(id)->ranges)
                CHECK(r.total == 3 * MiB);
        }
        CHECK(receiver.messages_in_progress() == 0);
        CHECK(sender.queued_bytes() == 0);
    }, std::chrono::seconds(60));
}

TEST_CASE("a body source giving fewer bytes than its size fails the message; the receiver gets '#'",
          "[session][transfer]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        receiver_log received;
        report_log reports;
        msrp::MSRPSession receiver(std::move(pair.accepted), quick_options(), received.handler());
        msrp::MSRPSession sender(std::move(pair.connected), quick_options());

        auto state = std::make_shared<source_state>();
        state->data = random_bytes(2 * MiB, 8);
        state->max_read = 16 * KiB;
        msrp::OutgoingMessage message;
        message.content_type = "application/octet-stream";
        message.source = source_of(state);
        message.size = 3 * MiB; // wrong: the source gives 2 MiB
        const auto id = sender.send_message(std::move(message), reports.handler());
        const bool failed = co_await msrp::test::wait_until(
            [&] { return received.has_abort(id) && reports.final_of(id).has_value(); }, 30s);
        REQUIRE(failed);
        const auto final = reports.final_of(id);
        CHECK(final->error);
        CHECK(final->code != 200);
        const auto* got = received.find(id);
        CHECK(got->aborts == 1);
        CHECK(got->failure == errc::message_aborted);
        CHECK(got->completes == 0);
        CHECK(got->after_end == 0);
        CHECK(got->duplicate_bytes == 0);
        CHECK(got->delivered <= state->data.size());
        CHECK(reports.finals().size() == 1);
        CHECK(receiver.messages_in_progress() == 0);
        CHECK(sender.is_open());
        CHECK(sender.queued_bytes() == 0);
    }, std::chrono::seconds(60));
}

// ---- 6. the peer goes away mid-transfer -------------------------------

TEST_CASE("the receiver dies mid-transfer: the sender reports the failure, answers what was queued, closes",
          "[session][transfer]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        receiver_log received;
        report_log reports;
        std::optional<msrp::MSRPSession> receiver;
        receiver.emplace(std::move(pair.accepted), quick_options(), received.handler());
        auto options = quick_options();
        options.response_timeout = 30s; // the end must come from the connection, not a timeout
        options.max_queued_bytes = 64 * MiB; // room for a chunk behind the message
        msrp::MSRPSession sender(std::move(pair.connected), options);

        const std::string big = random_bytes(20 * MiB, 9);
        const auto id = sender.send_message(message_of(big), reports.handler());
        const bool under_way = co_await msrp::test::wait_until([&] { return received.pieces_of(id) >= 3; });
        REQUIRE(under_way);
        // A request queued behind the message, then the peer goes.
        std::vector<msrp::Chunk> responses;
        msrp::make_chunk_params params;
        params.data = "queued behind";
        auto behind = sender.make_chunk(params);
        sender.send_chunk(std::move(behind), [&](const msrp::Chunk& r) { responses.push_back(r); });
        receiver.reset();

        const bool closed = co_await msrp::test::wait_until([&] { return !sender.is_open(); });
        REQUIRE(closed);
        const bool settled = co_await msrp::test::wait_until(
            [&] { return reports.final_of(id).has_value() && !responses.empty(); });
        REQUIRE(settled);
        const auto final = reports.final_of(id);
        CHECK(final->code != 200);
        CHECK(final->error);
        CHECK(reports.finals().size() == 1);
        REQUIRE(responses.size() == 1);
        CHECK(responses[0].is_response());
        CHECK(responses[0].code == 408);
        CHECK_FALSE(sender.is_open());
        CHECK(sender.pending_transactions() == 0);
        CHECK(sender.queued_bytes() == 0);
        // Nothing more comes afterwards.
        co_await msrp::test::sleep_for(50ms);
        CHECK(responses.size() == 1);
        CHECK(reports.finals().size() == 1);
        std::error_code ec;
        const std::string late = "too late";
        sender.send_message(message_of(late), {}, ec);
        CHECK(ec == errc::session_closed);
    }, std::chrono::seconds(60));
}

// ---- 7. backpressure through GreenMSRPSession --------------------------

namespace {

/// Queues `count` messages of `size` bytes, waiting while the queue is full.
asio::awaitable<void> send_many(msrp::MSRPSession& sender, int count, std::size_t size, int& queued,
                                report_log& reports) {
    for (int i = 0; i < count; ++i) {
        auto message = message_of(std::string(size, static_cast<char>('a' + i % 26)));
        message.message_id = "msg-" + std::to_string(i); // an ident: 4 to 32 characters
        auto handler = reports.handler();
        const auto id = co_await sender.queue_message(std::move(message), std::move(handler));
        CHECK(id == "msg-" + std::to_string(i));
        ++queued;
    }
}

/// Runs `work`, noting what it throws before passing it on (one failing
/// side of `&&` cancels the other, and Asio then reports only "multiple
/// exceptions").
asio::awaitable<void> noting_failure(asio::awaitable<void> work, std::string& failure) {
    try {
        co_await std::move(work);
    } catch (const std::exception& e) {
        failure = e.what();
        throw;
    } catch (...) {
        failure = "an exception that is not a std::exception (a failed REQUIRE)";
        throw;
    }
}

struct stall_observation {
    bool stalled = false;
    int queued = 0;
    std::size_t sender_queued_bytes = 0;
    std::size_t receiver_queue = 0;
    std::size_t receiver_buffered = 0;
};

/// Waits until the sending loop makes no progress for 200 ms (bounded),
/// notes the state, then takes `count` messages from the receiver.
asio::awaitable<void> stall_then_drain(msrp::MSRPSession& sender, msrp::GreenMSRPSession& receiver, int count,
                                       std::size_t size, const int& queued, stall_observation& seen,
                                       std::vector<msrp::IncomingMessage>& got) {
    const auto until = std::chrono::steady_clock::now() + 20s;
    for (;;) {
        const int before = queued;
        co_await msrp::test::sleep_for(200ms);
        if (queued == before && queued > 0) {
            seen.stalled = true;
            break;
        }
        if (queued == count || std::chrono::steady_clock::now() > until)
            break;
    }
    seen.queued = queued;
    seen.sender_queued_bytes = sender.queued_bytes();
    seen.receiver_queue = receiver.incoming_queue_size();
    seen.receiver_buffered = receiver.transport().buffered_bytes();

    int complete = 0;
    while (complete < count) {
        std::error_code ec;
        auto m = co_await receiver.receive_chunk(msrp::test::redirect(ec));
        REQUIRE_FALSE(ec);
        if (m.method != "SEND")
            continue;
        complete += m.complete() ? 1 : 0;
        CHECK(m.complete());
        CHECK(m.data.size() == size);
        CHECK(m.byte_range() == msrp::ByteRange{1, size, size});
        got.push_back(std::move(m));
    }
}

} // namespace

TEST_CASE("GreenMSRPSession: a receiver that does not read stops the sender; then everything arrives",
          "[session][transfer]") {
    using namespace asio::experimental::awaitable_operators;
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        auto receiver_options = quick_options();
        receiver_options.max_incoming_queue = 4;
        receiver_options.response_timeout = 30s;
        msrp::GreenMSRPSession receiver(std::move(pair.accepted), receiver_options);
        auto sender_options = quick_options();
        sender_options.max_queued_bytes = 1 * MiB;
        sender_options.response_timeout = 30s; // a stalled peer is not a dead one here
        msrp::MSRPSession sender(std::move(pair.connected), sender_options);

        constexpr int count = 400;
        constexpr std::size_t size = 256 * KiB;
        int queued = 0;
        report_log reports;
        stall_observation seen;
        std::vector<msrp::IncomingMessage> got;
        std::string send_failure, drain_failure;
        try {
            co_await (noting_failure(send_many(sender, count, size, queued, reports), send_failure) &&
                      noting_failure(stall_then_drain(sender, receiver, count, size, queued, seen, got),
                                     drain_failure));
        } catch (...) {
            // Noted: checked below.
        }
        CHECK(send_failure == "");
        CHECK(drain_failure == "");

        CHECK(seen.stalled);
        CHECK(seen.queued < count);
        CHECK(seen.sender_queued_bytes <= 1 * MiB + size);
        CHECK(seen.receiver_queue <= 4);
        CHECK(seen.receiver_buffered <= 256 * KiB);

        CHECK(queued == count);
        REQUIRE(got.size() == count);
        std::set<std::string> ids;
        for (const auto& m : got) {
            const auto id = m.message_id().value_or("");
            ids.insert(id);
            REQUIRE(id.size() > 4);
            const int i = std::stoi(id.substr(4));
            const char expected = static_cast<char>('a' + i % 26);
            CHECK(m.data.find_first_not_of(expected) == std::string::npos);
        }
        CHECK(ids.size() == count);
        const bool all_settled = co_await msrp::test::wait_until([&] { return reports.finals().size() == count; });
        REQUIRE(all_settled);
        int ok = 0;
        for (const auto& r : reports.finals())
            ok += r.code == 200 && !r.error;
        CHECK(ok == count);
        CHECK(sender.queued_bytes() == 0);
    }, std::chrono::seconds(60));
}

// ---- 8. GreenMSRPSession: the end ------------------------------------------

TEST_CASE("GreenMSRPSession: messages queued before the peer left still come, then the end, every time",
          "[session][transfer]") {
    const bool graceful = GENERATE(false, true);
    INFO((graceful ? "the sender shuts down" : "the sender is destroyed"));
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        msrp::GreenMSRPSession receiver(std::move(pair.accepted), quick_options());
        report_log reports;
        auto sender = std::make_unique<msrp::MSRPSession>(std::move(pair.connected), quick_options());
        // Sent in turns, a chunk each: the short ones may complete first.
        const std::map<std::string, std::string> bodies = {
            {"first", "first"}, {"second", random_bytes(100 * KiB, 10)}, {"third", "third"}};
        for (const auto& [id, b] : bodies) {
            auto message = message_of(b);
            message.message_id = id;
            sender->send_message(std::move(message), reports.handler());
        }
        const bool all_settled = co_await msrp::test::wait_until([&] { return reports.finals().size() == 3; });
        REQUIRE(all_settled);
        for (const auto& r : reports.finals())
            CHECK(r.code == 200);
        if (graceful) {
            co_await sender->shutdown();
            CHECK_FALSE(sender->is_open());
        } else {
            sender.reset();
        }

        std::set<std::string> got;
        for (std::size_t i = 0; i < bodies.size(); ++i) {
            std::error_code ec;
            const auto m = co_await receiver.receive_chunk(msrp::test::redirect(ec));
            REQUIRE_FALSE(ec);
            CHECK(m.complete());
            const auto id = m.message_id().value_or("");
            got.insert(id);
            REQUIRE(bodies.contains(id));
            CHECK(m.data.size() == bodies.at(id).size());
            CHECK(sha256_hex(m.data) == sha256_hex(bodies.at(id)));
        }
        CHECK(got.size() == bodies.size());
        std::error_code end;
        const auto none = co_await receiver.receive_chunk(msrp::test::redirect(end));
        CHECK(end);
        CHECK(end == asio::error::eof);
        CHECK(none.data.empty());
        std::error_code again;
        const auto none_again = co_await receiver.receive_chunk(msrp::test::redirect(again));
        CHECK(none_again.data.empty());
        CHECK(again);
        CHECK(again == end);
        CHECK_FALSE(receiver.is_open());
    });
}

// ---- 9. stop_message ---------------------------------------------------

TEST_CASE("stop_message on the first piece: the sender hears 413 and nothing more of the message comes",
          "[session][transfer]") {
    asio::io_context ctx{1};
    msrp::test::run(ctx, [&]() -> asio::awaitable<void> {
        auto pair = co_await msrp::test::make_transport_pair();
        receiver_log received;
        report_log reports;
        msrp::MSRPSession* self = nullptr;
        std::optional<bool> stopped;
        received.on_each = [&](const msrp::IncomingMessage& m) {
            if (!stopped && m.contflag == msrp::contflag::more && self)
                stopped = self->stop_message(m.message_id().value_or(""));
        };
        msrp::MSRPSession receiver(std::move(pair.accepted), quick_options(), received.handler());
        self = &receiver;
        msrp::MSRPSession sender(std::move(pair.connected), quick_options());

        const std::string big = random_bytes(10 * MiB, 11);
        const auto id = sender.send_message(message_of(big), reports.handler());
        const bool settled = co_await msrp::test::wait_until([&] { return reports.final_of(id).has_value(); }, 30s);
        REQUIRE(settled);
        REQUIRE(stopped.has_value());
        CHECK(*stopped);
        const auto final = reports.final_of(id);
        CHECK(final->code == 413);
        CHECK(final->error == errc::transaction_failed);

        // Whatever of it was still on the wire came before this one.
        const std::string after = "after the stop";
        const auto after_id = sender.send_message(message_of(after, "text/plain"), reports.handler());
        const bool after_delivered = co_await msrp::test::wait_until(
            [&] { return received.has_complete(after_id) && reports.final_of(after_id).has_value(); });
        REQUIRE(after_delivered);
        CHECK(reports.final_of(after_id)->code == 200);
        const auto* got = received.find(id);
        REQUIRE(got != nullptr);
        CHECK(got->pieces == 1);
        CHECK(got->completes == 0);
        CHECK(got->aborts == 0);
        CHECK(received.messages.size() == 2);
        CHECK(receiver.messages_in_progress() == 0);
        CHECK(reports.finals().size() == 2);
        CHECK(sender.is_open());
        CHECK(sender.queued_bytes() == 0);
    }, std::chrono::seconds(60));
}
