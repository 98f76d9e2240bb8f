// Reassembling messages from SEND chunks (RFC 4975 §7.3.1): whole delivery
// of small messages, piecewise delivery of large or unsized ones, aborts,
// limits, inconsistent Byte-Ranges, late duplicates, and a randomized check
// against the original bodies.

#include <msrp/protocol/message_assembler.hpp>
#include <msrp/protocol/error.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

using msrp::assembler_limits;
using msrp::ByteRange;
using msrp::Chunk;
using msrp::errc;
using msrp::IncomingMessage;
using msrp::message_assembler;

namespace Catch {
template <>
struct StringMaker<std::error_code> {
    static std::string convert(const std::error_code& ec) {
        if (!ec)
            return "{no error}";
        return std::string(ec.category().name()) + ':' + std::to_string(ec.value()) + " (" + ec.message() + ')';
    }
};
} // namespace Catch

namespace {

constexpr std::uint64_t star = ByteRange::unknown;
const std::error_code ok{};

std::error_code err(errc e) { return msrp::make_error_code(e); }

/// A SEND chunk as a session would hand it on. `start`, `end`, `total` as in
/// Byte-Range (`star` writes `*`); no Byte-Range header when `start` is 0.
Chunk send(const std::string& id, std::uint64_t start, std::uint64_t end, std::uint64_t total, std::string data,
           char flag, std::string tid = "tid0001") {
    Chunk c;
    c.transaction_id = std::move(tid);
    c.method = "SEND";
    c.set_message_id(id);
    if (start != 0)
        c.set_byte_range(ByteRange{start, end, total});
    c.data = std::move(data);
    c.contflag = flag;
    c.has_body = true;
    c.set_content_type("text/plain");
    return c;
}

/// The chunk of `body` holding octets [first, last] (1-based), Byte-Range
/// with its real end and the given total.
Chunk part(const std::string& id, const std::string& body, std::uint64_t first, std::uint64_t last,
           std::uint64_t total, char flag, std::string tid = "tid0001") {
    return send(id, first, last, total, body.substr(first - 1, last - first + 1), flag, std::move(tid));
}

std::string range_of(const Chunk& c) {
    const auto* v = c.find_header("Byte-Range");
    return v ? *v : std::string("(none)");
}

std::string id_of(const Chunk& c) {
    const auto* v = c.find_header("Message-ID");
    return v ? *v : std::string("(none)");
}

std::string letters(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i)
        s += static_cast<char>('a' + (i * 7 + i / 26) % 26);
    return s;
}

std::string show(const std::vector<IncomingMessage>& out) {
    std::ostringstream o;
    for (const auto& m : out)
        o << "\n  [" << id_of(m) << ' ' << range_of(m) << ' ' << m.contflag << " " << m.data.size()
          << " bytes, failure " << Catch::StringMaker<std::error_code>::convert(m.failure) << ']';
    return o.str();
}

void check_whole(const IncomingMessage& m, const std::string& id, const std::string& body) {
    INFO("message " << id);
    CHECK(id_of(m) == id);
    CHECK(m.method == "SEND");
    CHECK(m.data == body);
    CHECK(range_of(m) == "1-" + std::to_string(body.size()) + "/" + std::to_string(body.size()));
    CHECK(m.contflag == '$');
    CHECK(m.failure == ok);
    CHECK(m.complete());
    CHECK(m.has_body);
    CHECK(m.content_type() == std::optional<std::string>("text/plain"));
    // Content-Type stays last.
    REQUIRE_FALSE(m.headers.empty());
    CHECK(m.headers.back().name == "Content-Type");
}

void check_failed(const IncomingMessage& m, const std::string& id, errc why) {
    INFO("message " << id);
    CHECK(id_of(m) == id);
    CHECK(m.contflag == '#');
    CHECK(m.failure == err(why));
    CHECK_FALSE(m.complete());
    CHECK(m.data.empty());
    CHECK(m.find_header("Byte-Range") == nullptr);
}

/// Rebuilds a message from pieces by their Byte-Range; fails on a byte seen
/// twice or a Byte-Range that does not match the data.
struct rebuilt {
    std::string bytes;
    std::vector<bool> seen;
    void add(const IncomingMessage& m) {
        ByteRange r;
        REQUIRE(ByteRange::parse(range_of(m), r) == ok);
        REQUIRE(r.end != star);
        REQUIRE(r.end - r.start + 1 == m.data.size());
        if (bytes.size() < r.end) {
            bytes.resize(r.end);
            seen.resize(r.end, false);
        }
        std::uint64_t twice = 0;
        for (std::uint64_t i = 0; i < m.data.size(); ++i) {
            if (seen[r.start - 1 + i])
                ++twice;
            seen[r.start - 1 + i] = true;
            bytes[r.start - 1 + i] = m.data[i];
        }
        INFO("piece " << range_of(m));
        REQUIRE(twice == 0); // never a byte twice
    }
    bool all_seen() const { return std::all_of(seen.begin(), seen.end(), [](bool b) { return b; }); }
};

/// Fixed-size chunks of `body` (Byte-Range with real ends and `total`), the
/// last one `$`.
std::vector<Chunk> chunked(const std::string& id, const std::string& body, std::size_t size,
                           std::uint64_t total) {
    std::vector<Chunk> cs;
    for (std::size_t first = 1; first <= body.size(); first += size) {
        const std::size_t last = std::min(body.size(), first + size - 1);
        cs.push_back(part(id, body, first, last, total, last == body.size() ? '$' : '+',
                          "t" + std::to_string(first) + "x"));
    }
    return cs;
}

} // namespace

TEST_CASE("assembler: a one-chunk message is delivered whole at once", "[assembler]") {
    message_assembler a;
    std::vector<IncomingMessage> out;

    SECTION("Byte-Range 1-N/N") {
        REQUIRE(a.add(send("m1", 1, 5, 5, "hello", '$', "tidA1"), out) == ok);
        REQUIRE(out.size() == 1);
        check_whole(out[0], "m1", "hello");
        CHECK(out[0].transaction_id == "tidA1");
        CHECK(out[0].headers == send("m1", 1, 5, 5, "hello", '$').headers);
    }
    SECTION("no Byte-Range: 1-N/N is added") {
        REQUIRE(a.add(send("m1", 0, 0, 0, "hello", '$'), out) == ok);
        REQUIRE(out.size() == 1);
        check_whole(out[0], "m1", "hello");
    }
    SECTION("Byte-Range 1-*/*") {
        REQUIRE(a.add(send("m1", 1, star, star, "hello", '$'), out) == ok);
        REQUIRE(out.size() == 1);
        check_whole(out[0], "m1", "hello");
    }
    SECTION("Byte-Range 1-N/*") {
        REQUIRE(a.add(send("m1", 1, 5, star, "hello", '$'), out) == ok);
        REQUIRE(out.size() == 1);
        check_whole(out[0], "m1", "hello");
    }
    SECTION("empty message 1-0/0") {
        REQUIRE(a.add(send("m1", 1, 0, 0, "", '$'), out) == ok);
        REQUIRE(out.size() == 1);
        check_whole(out[0], "m1", "");
    }
    SECTION("empty message 1-*/*") {
        REQUIRE(a.add(send("m1", 1, star, star, "", '$'), out) == ok);
        REQUIRE(out.size() == 1);
        check_whole(out[0], "m1", "");
    }
    SECTION("larger than max_whole_message_bytes: still one whole message") {
        message_assembler small({.max_whole_message_bytes = 3});
        const std::string body = letters(50);
        REQUIRE(small.add(send("m1", 1, 50, 50, body, '$'), out) == ok);
        REQUIRE(out.size() == 1);
        check_whole(out[0], "m1", body);
        CHECK(small.messages_in_progress() == 0);
    }
    SECTION("outputs are appended to what `out` holds") {
        out.resize(2);
        REQUIRE(a.add(send("m1", 1, 5, 5, "hello", '$'), out) == ok);
        REQUIRE(out.size() == 3);
        check_whole(out[2], "m1", "hello");
    }
    CHECK(a.messages_in_progress() == 0);
    CHECK(a.buffered_bytes() == 0);
}

TEST_CASE("assembler: a chunked message is delivered whole when its last byte arrives", "[assembler]") {
    const std::string body = letters(40);
    const std::string id = "whole1";
    message_assembler a; // 40 bytes <= max_whole_message_bytes
    std::vector<IncomingMessage> out;

    auto feed = [&](std::vector<Chunk> chunks) {
        // Every chunk but the last brings nothing out; the last (the one
        // filling the last gap) brings the whole message.
        const std::string last_tid = chunks.back().transaction_id;
        for (std::size_t i = 0; i < chunks.size(); ++i) {
            INFO("chunk " << i << ' ' << range_of(chunks[i]) << ' ' << chunks[i].contflag);
            REQUIRE(a.add(std::move(chunks[i]), out) == ok);
            if (i + 1 < chunks.size()) {
                REQUIRE(out.empty());
                CHECK(a.messages_in_progress() == 1);
                CHECK(a.buffered_bytes() == 40);
            }
        }
        INFO(show(out));
        REQUIRE(out.size() == 1);
        check_whole(out[0], id, body);
        CHECK(out[0].transaction_id == last_tid);
        CHECK(a.messages_in_progress() == 0);
        CHECK(a.buffered_bytes() == 0);
    };

    SECTION("in order") { feed(chunked(id, body, 7, 40)); }
    SECTION("in order, `+` chunks with range end *") {
        auto cs = chunked(id, body, 10, 40);
        for (auto& c : cs)
            if (c.contflag == '+')
                c.set_byte_range(ByteRange{c.byte_range()->start, star, 40});
        feed(std::move(cs));
    }
    SECTION("reversed") {
        auto cs = chunked(id, body, 7, 40);
        std::reverse(cs.begin(), cs.end());
        feed(std::move(cs));
    }
    SECTION("shuffled") {
        const std::uint64_t seed = std::random_device{}();
        INFO("seed " << seed);
        std::mt19937_64 rng(seed);
        auto cs = chunked(id, body, 3, 40);
        std::shuffle(cs.begin(), cs.end(), rng);
        feed(std::move(cs));
    }
    SECTION("the `$` chunk first") {
        feed({part(id, body, 31, 40, 40, '$'), part(id, body, 1, 30, 40, '+', "tidLAST")});
    }
    SECTION("duplicates and overlaps") {
        feed({part(id, body, 1, 10, 40, '+'), part(id, body, 1, 10, 40, '+'),    // exact duplicate
              part(id, body, 5, 15, 40, '+'), part(id, body, 2, 14, 40, '+'),    // overlap, inside
              part(id, body, 31, 40, 40, '$'), part(id, body, 31, 40, 40, '$'),  // `$` twice
              part(id, body, 20, 35, 40, '+'), part(id, body, 12, 25, 40, '+', "tidFILL")});
    }
    SECTION("an empty `$` chunk first") {
        feed({send(id, 41, 40, 40, "", '$'), part(id, body, 1, 40, 40, '+', "tidALL")});
    }
    SECTION("empty chunks") {
        feed({part(id, body, 1, 20, 40, '+'), send(id, 21, 20, 40, "", '+'), send(id, 41, 40, 40, "", '$'),
              part(id, body, 21, 40, 40, '+')});
    }
}

TEST_CASE("assembler: a large message is delivered in pieces as it arrives", "[assembler]") {
    const std::string body = letters(250);
    const std::string id = "big1";
    message_assembler a({.max_whole_message_bytes = 100});
    std::vector<IncomingMessage> out;

    auto expect_piece = [&](const IncomingMessage& m, std::uint64_t first, std::uint64_t last, std::string total,
                            char flag) {
        INFO("expected piece " << first << '-' << last << '/' << total << ' ' << flag);
        CHECK(id_of(m) == id);
        CHECK(m.method == "SEND");
        CHECK(range_of(m) == std::to_string(first) + '-' + std::to_string(last) + '/' + total);
        CHECK(m.data == body.substr(first - 1, last - first + 1));
        CHECK(m.contflag == flag);
        CHECK(m.failure == ok);
        CHECK(m.complete() == (flag == '$'));
        CHECK(m.content_type() == std::optional<std::string>("text/plain"));
    };
    auto add = [&](Chunk c) {
        INFO("add " << range_of(c) << ' ' << c.contflag);
        const auto before = out.size();
        REQUIRE(a.add(std::move(c), out) == ok);
        CHECK(a.buffered_bytes() == 0); // pieces are never held
        return out.size() - before;
    };

    SECTION("in order") {
        REQUIRE(add(part(id, body, 1, 60, 250, '+', "tidP1")) == 1);
        expect_piece(out[0], 1, 60, "250", '+');
        CHECK(out[0].transaction_id == "tidP1");
        CHECK(a.messages_in_progress() == 1);
        REQUIRE(add(part(id, body, 61, 120, 250, '+')) == 1);
        expect_piece(out[1], 61, 120, "250", '+');
        REQUIRE(add(part(id, body, 121, 180, 250, '+')) == 1);
        expect_piece(out[2], 121, 180, "250", '+');
        REQUIRE(add(part(id, body, 181, 250, 250, '$', "tidP4")) == 1);
        expect_piece(out[3], 181, 250, "250", '$');
        CHECK(out[3].transaction_id == "tidP4");
        CHECK(a.messages_in_progress() == 0);
    }
    SECTION("reversed: the `$` chunk first is a `+` piece, the completing one `$`") {
        REQUIRE(add(part(id, body, 181, 250, 250, '$')) == 1);
        expect_piece(out[0], 181, 250, "250", '+');
        REQUIRE(add(part(id, body, 121, 180, 250, '+')) == 1);
        expect_piece(out[1], 121, 180, "250", '+');
        REQUIRE(add(part(id, body, 61, 120, 250, '+')) == 1);
        expect_piece(out[2], 61, 120, "250", '+');
        REQUIRE(add(part(id, body, 1, 60, 250, '+')) == 1);
        expect_piece(out[3], 1, 60, "250", '$');
        CHECK(a.messages_in_progress() == 0);
    }
    SECTION("duplicates and overlaps: only new bytes, never twice") {
        REQUIRE(add(part(id, body, 1, 60, 250, '+')) == 1);
        expect_piece(out[0], 1, 60, "250", '+');
        REQUIRE(add(part(id, body, 1, 60, 250, '+')) == 0); // duplicate
        REQUIRE(add(part(id, body, 10, 50, 250, '+')) == 0); // inside
        REQUIRE(add(part(id, body, 41, 120, 250, '+')) == 1);
        expect_piece(out[1], 61, 120, "250", '+');
        REQUIRE(add(part(id, body, 151, 170, 250, '+')) == 1);
        expect_piece(out[2], 151, 170, "250", '+');
        // One chunk over two gaps: two pieces, the last `$`.
        REQUIRE(add(part(id, body, 100, 250, 250, '$')) == 2);
        expect_piece(out[3], 121, 150, "250", '+');
        expect_piece(out[4], 171, 250, "250", '$');
        CHECK(a.messages_in_progress() == 0);
        // Late duplicates are dropped.
        REQUIRE(add(part(id, body, 1, 250, 250, '$')) == 0);
        REQUIRE(add(part(id, body, 61, 120, 250, '+')) == 0);
        REQUIRE(out.size() == 5);
    }
    SECTION("unknown total, in order") {
        REQUIRE(add(part(id, body, 1, 100, star, '+')) == 1);
        expect_piece(out[0], 1, 100, "*", '+');
        REQUIRE(add(part(id, body, 101, 200, star, '+')) == 1);
        expect_piece(out[1], 101, 200, "*", '+');
        REQUIRE(add(part(id, body, 201, 250, star, '$')) == 1);
        expect_piece(out[2], 201, 250, "250", '$');
        CHECK(a.messages_in_progress() == 0);
    }
    SECTION("unknown total, range end * too") {
        REQUIRE(add(send(id, 1, star, star, body.substr(0, 100), '+')) == 1);
        expect_piece(out[0], 1, 100, "*", '+');
        REQUIRE(add(send(id, 101, star, star, body.substr(100), '$')) == 1);
        expect_piece(out[1], 101, 250, "250", '$');
    }
    SECTION("unknown total, the `$` chunk first") {
        REQUIRE(add(part(id, body, 201, 250, star, '$')) == 1);
        expect_piece(out[0], 201, 250, "*", '+');
        REQUIRE(add(part(id, body, 1, 150, star, '+')) == 1);
        expect_piece(out[1], 1, 150, "*", '+');
        REQUIRE(add(part(id, body, 120, 210, star, '+')) == 1);
        expect_piece(out[2], 151, 200, "250", '$');
        CHECK(a.messages_in_progress() == 0);
    }
    SECTION("small but of unknown total: in pieces too") {
        REQUIRE(add(part(id, body, 1, 10, star, '+')) == 1);
        expect_piece(out[0], 1, 10, "*", '+');
        REQUIRE(add(part(id, body, 11, 20, star, '$')) == 1);
        expect_piece(out[1], 11, 20, "20", '$');
    }
    SECTION("total learnt after the first chunk: in pieces, total from then on") {
        REQUIRE(add(part(id, body, 1, 50, star, '+')) == 1);
        expect_piece(out[0], 1, 50, "*", '+');
        REQUIRE(add(part(id, body, 51, 60, 250, '+')) == 1);
        expect_piece(out[1], 51, 60, "250", '+');
        REQUIRE(add(part(id, body, 61, 250, star, '$')) == 1);
        expect_piece(out[2], 61, 250, "250", '$');
    }
    SECTION("an empty last `$` chunk that brings nothing new: an empty `$` piece") {
        REQUIRE(add(part(id, body, 1, 60, star, '+')) == 1);
        REQUIRE(add(part(id, body, 61, 120, star, '+')) == 1);
        REQUIRE(add(send(id, 121, 120, star, "", '$', "tidEND")) == 1);
        const auto& m = out[2];
        CHECK(range_of(m) == "121-120/120");
        CHECK(m.data.empty());
        CHECK(m.contflag == '$');
        CHECK(m.failure == ok);
        CHECK(m.complete());
        CHECK(m.transaction_id == "tidEND");
        CHECK(id_of(m) == id);
        CHECK(a.messages_in_progress() == 0);
    }
    SECTION("an empty last `$` chunk with range end *") {
        REQUIRE(add(part(id, body, 1, 60, star, '+')) == 1);
        REQUIRE(add(send(id, 61, star, star, "", '$')) == 1);
        CHECK(range_of(out[1]) == "61-60/60");
        CHECK(out[1].data.empty());
        CHECK(out[1].contflag == '$');
    }
    SECTION("an empty `$` chunk first, known total: the last piece is `$`") {
        REQUIRE(add(send(id, 251, 250, 250, "", '$')) == 0);
        CHECK(a.messages_in_progress() == 1);
        REQUIRE(add(part(id, body, 1, 200, 250, '+')) == 1);
        expect_piece(out[0], 1, 200, "250", '+');
        REQUIRE(add(part(id, body, 201, 250, 250, '+')) == 1);
        expect_piece(out[1], 201, 250, "250", '$');
    }
    SECTION("an empty `$` chunk after completion is a late duplicate") {
        REQUIRE(add(part(id, body, 1, 250, 250, '+')) == 1);
        expect_piece(out[0], 1, 250, "250", '$');
        REQUIRE(add(send(id, 251, 250, 250, "", '$')) == 0);
    }
    SECTION("shuffled chunks with overlaps rebuild the original") {
        const std::uint64_t seed = std::random_device{}();
        INFO("seed " << seed);
        std::mt19937_64 rng(seed);
        std::vector<Chunk> cs = chunked(id, body, 17, 250);
        for (int i = 0; i < 10; ++i) {
            std::uint64_t x = rng() % 250 + 1, y = rng() % 250 + 1;
            if (x > y)
                std::swap(x, y);
            cs.push_back(part(id, body, x, y, rng() % 2 ? 250 : star, y == 250 ? '$' : '+'));
        }
        std::shuffle(cs.begin(), cs.end(), rng);
        for (auto& c : cs)
            add(std::move(c));
        INFO(show(out));
        rebuilt r;
        for (std::size_t i = 0; i < out.size(); ++i) {
            CHECK(out[i].contflag == (i + 1 == out.size() ? '$' : '+'));
            CHECK(out[i].failure == ok);
            r.add(out[i]);
        }
        CHECK(r.bytes == body);
        CHECK(r.all_seen());
        CHECK(a.messages_in_progress() == 0);
    }
}

TEST_CASE("assembler: `#` aborts the message", "[assembler]") {
    const std::string body = letters(30);
    std::vector<IncomingMessage> out;

    SECTION("a message held whole") {
        message_assembler a;
        REQUIRE(a.add(part("ab1", body, 1, 10, 30, '+'), out) == ok);
        CHECK(a.buffered_bytes() == 30);
        REQUIRE(a.add(part("ab1", body, 11, 20, 30, '#', "tidABORT"), out) == ok);
        REQUIRE(out.size() == 1);
        check_failed(out[0], "ab1", errc::message_aborted);
        CHECK(out[0].transaction_id == "tidABORT");
        CHECK(a.messages_in_progress() == 0);
        CHECK(a.buffered_bytes() == 0);
        // Later chunks of it are dropped.
        REQUIRE(a.add(part("ab1", body, 21, 30, 30, '$'), out) == ok);
        REQUIRE(a.add(part("ab1", body, 1, 10, 30, '+'), out) == ok);
        CHECK(out.size() == 1);
        CHECK(a.messages_in_progress() == 0);
    }
    SECTION("an empty `#` chunk") {
        message_assembler a;
        REQUIRE(a.add(part("ab1", body, 1, 10, 30, '+'), out) == ok);
        REQUIRE(a.add(send("ab1", 11, star, 30, "", '#'), out) == ok);
        REQUIRE(out.size() == 1);
        check_failed(out[0], "ab1", errc::message_aborted);
        CHECK(a.buffered_bytes() == 0);
    }
    SECTION("a message in pieces") {
        message_assembler a({.max_whole_message_bytes = 10});
        REQUIRE(a.add(part("ab1", body, 1, 10, 30, '+'), out) == ok);
        REQUIRE(out.size() == 1);
        CHECK(out[0].contflag == '+');
        REQUIRE(a.add(part("ab1", body, 11, 20, 30, '#'), out) == ok);
        REQUIRE(out.size() == 2);
        check_failed(out[1], "ab1", errc::message_aborted);
        CHECK(a.messages_in_progress() == 0);
        CHECK(a.buffered_bytes() == 0);
    }
    SECTION("a message of unknown size") {
        message_assembler a;
        REQUIRE(a.add(part("ab1", body, 1, 10, star, '+'), out) == ok);
        REQUIRE(out.size() == 1);
        REQUIRE(a.add(send("ab1", 11, star, star, "", '#'), out) == ok);
        REQUIRE(out.size() == 2);
        check_failed(out[1], "ab1", errc::message_aborted);
        CHECK(a.messages_in_progress() == 0);
    }
    SECTION("`#` before anything else of it: nothing to tell") {
        message_assembler a;
        REQUIRE(a.add(part("ab1", body, 1, 10, 30, '#'), out) == ok);
        CHECK(out.empty());
        CHECK(a.messages_in_progress() == 0);
        CHECK(a.buffered_bytes() == 0);
    }
    SECTION("a one-chunk `#` message") {
        message_assembler a;
        REQUIRE(a.add(part("ab1", body, 1, 30, 30, '#'), out) == ok);
        CHECK(out.empty());
        CHECK(a.messages_in_progress() == 0);
    }
}

TEST_CASE("assembler: max_messages_in_progress", "[assembler]") {
    const std::string body = letters(20);
    message_assembler a({.max_messages_in_progress = 2});
    std::vector<IncomingMessage> out;

    REQUIRE(a.add(part("m1", body, 1, 10, 20, '+'), out) == ok);
    REQUIRE(a.add(part("m2", body, 1, 10, 20, '+'), out) == ok);
    CHECK(a.messages_in_progress() == 2);
    CHECK(a.buffered_bytes() == 40);
    // A third message's first chunk is refused, whatever its position.
    CHECK(a.add(part("m3", body, 1, 10, 20, '+'), out) == err(errc::too_many_messages));
    CHECK(a.add(part("m3", body, 11, 20, 20, '$'), out) == err(errc::too_many_messages));
    CHECK(a.add(part("m3", body, 1, 10, star, '+'), out) == err(errc::too_many_messages));
    CHECK(out.empty());
    CHECK(a.messages_in_progress() == 2);
    CHECK(a.buffered_bytes() == 40);
    CHECK(msrp::status_code_for(err(errc::too_many_messages)) == 413);
    // A one-chunk message is never in progress: it goes through.
    REQUIRE(a.add(send("one", 1, 5, 5, "hello", '$'), out) == ok);
    REQUIRE(out.size() == 1);
    check_whole(out[0], "one", "hello");
    // Chunks of the messages in progress still go in.
    REQUIRE(a.add(part("m1", body, 11, 20, 20, '$'), out) == ok);
    REQUIRE(out.size() == 2);
    check_whole(out[1], "m1", body);
    // Room again: the refused message starts.
    REQUIRE(a.add(part("m3", body, 1, 10, 20, '+'), out) == ok);
    CHECK(a.messages_in_progress() == 2);
    REQUIRE(a.add(part("m3", body, 11, 20, 20, '$'), out) == ok);
    REQUIRE(out.size() == 3);
    check_whole(out[2], "m3", body);
    REQUIRE(a.add(part("m2", body, 11, 20, 20, '$'), out) == ok);
    REQUIRE(out.size() == 4);
    check_whole(out[3], "m2", body);
    CHECK(a.messages_in_progress() == 0);
    CHECK(a.buffered_bytes() == 0);
}

TEST_CASE("assembler: max_message_bytes", "[assembler]") {
    const std::string body = letters(200);
    message_assembler a({.max_message_bytes = 100, .max_whole_message_bytes = 50});
    std::vector<IncomingMessage> out;

    SECTION("one-chunk messages") {
        CHECK(a.add(part("m1", body, 1, 101, 101, '$'), out) == err(errc::message_too_large));
        CHECK(a.add(send("m2", 1, star, star, body.substr(0, 101), '$'), out) == err(errc::message_too_large));
        CHECK(a.add(send("m3", 0, 0, 0, body.substr(0, 101), '$'), out) == err(errc::message_too_large));
        CHECK(out.empty());
        CHECK(a.messages_in_progress() == 0);
        REQUIRE(a.add(part("m4", body, 1, 100, 100, '$'), out) == ok);
        REQUIRE(out.size() == 1);
        check_whole(out[0], "m4", body.substr(0, 100));
        CHECK(msrp::status_code_for(err(errc::message_too_large)) == 413);
    }
    SECTION("a declared total beyond the limit: refused at its first chunk") {
        CHECK(a.add(part("m1", body, 1, 10, 101, '+'), out) == err(errc::message_too_large));
        CHECK(a.add(part("m1", body, 91, 101, 101, '$'), out) == err(errc::message_too_large));
        CHECK(out.empty());
        CHECK(a.messages_in_progress() == 0);
        CHECK(a.buffered_bytes() == 0);
    }
    SECTION("a total at the limit, in pieces") {
        REQUIRE(a.add(part("m1", body, 1, 60, 100, '+'), out) == ok);
        REQUIRE(a.add(part("m1", body, 61, 100, 100, '$'), out) == ok);
        REQUIRE(out.size() == 2);
        CHECK(out[1].contflag == '$');
    }
    SECTION("unknown total: the chunk going beyond fails the message") {
        REQUIRE(a.add(part("m1", body, 1, 60, star, '+'), out) == ok);
        REQUIRE(out.size() == 1);
        CHECK(a.add(part("m1", body, 61, 101, star, '+', "tidBIG"), out) == err(errc::message_too_large));
        REQUIRE(out.size() == 2);
        check_failed(out[1], "m1", errc::message_too_large);
        CHECK(out[1].transaction_id == "tidBIG");
        CHECK(a.messages_in_progress() == 0);
        // Later chunks are refused.
        CHECK(a.add(part("m1", body, 61, 100, star, '+'), out) == err(errc::message_stopped));
        CHECK(out.size() == 2);
    }
    SECTION("unknown total, then a total beyond the limit") {
        REQUIRE(a.add(part("m1", body, 1, 60, star, '+'), out) == ok);
        CHECK(a.add(part("m1", body, 61, 70, 150, '+'), out) == err(errc::message_too_large));
        REQUIRE(out.size() == 2);
        check_failed(out[1], "m1", errc::message_too_large);
        CHECK(a.messages_in_progress() == 0);
    }
}

TEST_CASE("assembler: stop() refuses the message's later chunks", "[assembler]") {
    const std::string body = letters(30);
    message_assembler a;
    std::vector<IncomingMessage> out;

    REQUIRE(a.add(part("m1", body, 1, 10, 30, '+'), out) == ok);
    REQUIRE(a.add(part("m2", body, 1, 10, 30, '+'), out) == ok);
    CHECK(a.buffered_bytes() == 60);
    CHECK(a.stop("m1"));
    CHECK(a.messages_in_progress() == 1);
    CHECK(a.buffered_bytes() == 30);
    CHECK(a.add(part("m1", body, 11, 20, 30, '+'), out) == err(errc::message_stopped));
    CHECK(a.add(part("m1", body, 21, 30, 30, '$'), out) == err(errc::message_stopped));
    CHECK(a.add(part("m1", body, 1, 30, 30, '$'), out) == err(errc::message_stopped));
    CHECK(out.empty());
    CHECK(a.messages_in_progress() == 1);
    CHECK(msrp::status_code_for(err(errc::message_stopped)) == 413);
    CHECK_FALSE(a.stop("m1"));      // no longer in progress
    CHECK_FALSE(a.stop("unknown")); // never seen
    // The other message is untouched.
    REQUIRE(a.add(part("m2", body, 11, 30, 30, '$'), out) == ok);
    REQUIRE(out.size() == 1);
    check_whole(out[0], "m2", body);
    CHECK_FALSE(a.stop("m2")); // delivered
    CHECK(a.messages_in_progress() == 0);
    CHECK(a.buffered_bytes() == 0);
}

TEST_CASE("assembler: finish() ends every message in progress", "[assembler]") {
    const std::string body = letters(300);
    message_assembler a({.max_whole_message_bytes = 100});
    std::vector<IncomingMessage> out;

    REQUIRE(a.add(part("whole", body, 1, 10, 50, '+'), out) == ok);  // held whole
    REQUIRE(a.add(part("pieces", body, 1, 10, 300, '+'), out) == ok); // in pieces
    REQUIRE(a.add(part("unsized", body, 1, 10, star, '+'), out) == ok);
    REQUIRE(a.add(send("done", 1, 5, 5, "hello", '$'), out) == ok);
    REQUIRE(out.size() == 3);
    out.clear();
    CHECK(a.messages_in_progress() == 3);
    CHECK(a.buffered_bytes() == 50);

    a.finish(out);
    REQUIRE(out.size() == 3);
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return id_of(x) < id_of(y); });
    check_failed(out[0], "pieces", errc::message_incomplete);
    check_failed(out[1], "unsized", errc::message_incomplete);
    check_failed(out[2], "whole", errc::message_incomplete);
    for (const auto& m : out)
        CHECK(m.method == "SEND");
    CHECK(a.messages_in_progress() == 0);
    CHECK(a.buffered_bytes() == 0);

    out.clear();
    a.finish(out); // nothing left
    CHECK(out.empty());
}

TEST_CASE("assembler: inconsistent Byte-Ranges fail the message", "[assembler]") {
    const std::string body = letters(60);
    std::vector<IncomingMessage> out;
    CHECK(msrp::status_code_for(err(errc::inconsistent_byte_range)) == 400);

    struct row {
        const char* what;
        std::uint64_t max_whole;
        std::vector<Chunk> before; // accepted
        Chunk bad;
    };
    const row table[] = {
        {"a total other than an earlier chunk's", 1000,
         {part("m", body, 1, 10, 30, '+')}, part("m", body, 11, 20, 40, '+')},
        {"a total other than an earlier chunk's, in pieces", 10,
         {part("m", body, 1, 10, 30, '+')}, part("m", body, 11, 20, 29, '+')},
        {"a total other than an earlier chunk's, on a `$` chunk", 1000,
         {part("m", body, 1, 10, 30, '+')}, part("m", body, 11, 20, 20, '$')},
        {"bytes beyond the total", 1000,
         {part("m", body, 1, 10, 30, '+')}, send("m", 25, star, 30, body.substr(24, 10), '+')},
        {"bytes beyond the total, in pieces", 10,
         {part("m", body, 1, 10, 30, '+')}, send("m", 25, star, 30, body.substr(24, 10), '+')},
        {"bytes beyond the total, total * on the chunk", 1000,
         {part("m", body, 1, 10, 30, '+')}, part("m", body, 25, 34, star, '+')},
        {"bytes beyond the total, on the first chunk", 1000,
         {}, send("m", 25, star, 30, body.substr(24, 10), '+')},
        {"a `$` chunk ending before the total", 1000,
         {part("m", body, 1, 10, 30, '+')}, part("m", body, 11, 20, 30, '$')},
        {"a `$` chunk ending before the total, in pieces", 10,
         {part("m", body, 1, 10, 30, '+')}, part("m", body, 11, 20, 30, '$')},
        {"a `$` chunk ending before the total, on the first chunk", 1000,
         {}, part("m", body, 1, 20, 30, '$')},
        {"an empty `$` chunk before the total", 1000,
         {part("m", body, 1, 10, 30, '+')}, send("m", 11, 10, 30, "", '$')},
        {"two `$` chunks ending apart, unknown total", 1000,
         {part("m", body, 21, 30, star, '$')}, part("m", body, 1, 20, star, '$')},
        // Bytes beyond an end known from a `$` chunk, and totals that
        // contradict what arrived before them.
        {"bytes beyond the end a `$` chunk gave", 1000,
         {part("m", body, 21, 30, star, '$')}, part("m", body, 1, 40, star, '+')},
        {"a `$` chunk ending before bytes already received", 1000,
         {part("m", body, 1, 40, star, '+')}, part("m", body, 21, 30, star, '$')},
        {"a total below bytes already received", 1000,
         {part("m", body, 1, 40, star, '+')}, part("m", body, 1, 10, 30, '+')},
        {"a total other than the end a `$` chunk gave", 1000,
         {part("m", body, 21, 30, star, '$')}, part("m", body, 1, 10, 40, '+')},
    };
    SECTION("each row") {
        for (const auto& r : table) {
            INFO(r.what);
            message_assembler a({.max_whole_message_bytes = r.max_whole});
            out.clear();
            for (const auto& c : r.before)
                REQUIRE(a.add(Chunk(c), out) == ok);
            const auto before = out.size();
            Chunk bad = r.bad;
            bad.transaction_id = "tidBAD";
            REQUIRE(a.add(std::move(bad), out) == err(errc::inconsistent_byte_range));
            INFO(show(out));
            REQUIRE(out.size() == before + 1);
            check_failed(out.back(), "m", errc::inconsistent_byte_range);
            CHECK(out.back().transaction_id == "tidBAD");
            CHECK(a.messages_in_progress() == 0);
            CHECK(a.buffered_bytes() == 0);
            // The message is over: its later chunks are refused.
            CHECK(a.add(part("m", body, 1, 30, 30, '$'), out) == err(errc::message_stopped));
            CHECK(out.size() == before + 1);
        }
    }

    SECTION("a `$` chunk whose range end is not its last byte: refused, nothing out") {
        message_assembler a;
        CHECK(a.add(send("m", 1, 5, 5, "abc", '$'), out) == err(errc::inconsistent_byte_range));
        CHECK(out.empty());
        CHECK(a.messages_in_progress() == 0);
    }
    SECTION("a `+` chunk cut short (range end beyond its data) is fine") {
        message_assembler a;
        REQUIRE(a.add(send("m", 1, 20, 30, body.substr(0, 10), '+'), out) == ok);
        REQUIRE(a.add(part("m", body, 11, 30, 30, '$'), out) == ok);
        REQUIRE(out.size() == 1);
        check_whole(out[0], "m", body.substr(0, 30));
    }
}

TEST_CASE("assembler: late duplicates of a delivered message are dropped", "[assembler]") {
    const std::string body = letters(30);
    std::vector<IncomingMessage> out;

    SECTION("chunked, delivered whole") {
        message_assembler a;
        const auto cs = chunked("m1", body, 10, 30);
        for (const auto& c : cs)
            REQUIRE(a.add(Chunk(c), out) == ok);
        REQUIRE(out.size() == 1);
        for (const auto& c : cs)
            CHECK(a.add(Chunk(c), out) == ok);
        CHECK(a.add(part("m1", body, 1, 30, 30, '$'), out) == ok);
        CHECK(out.size() == 1);
        CHECK(a.messages_in_progress() == 0);
        CHECK(a.buffered_bytes() == 0);
    }
    SECTION("one chunk") {
        message_assembler a;
        REQUIRE(a.add(part("m1", body, 1, 30, 30, '$'), out) == ok);
        CHECK(a.add(part("m1", body, 1, 30, 30, '$'), out) == ok);
        CHECK(a.add(part("m1", body, 1, 10, 30, '+'), out) == ok);
        CHECK(out.size() == 1);
        CHECK(a.messages_in_progress() == 0);
    }
    SECTION("in pieces") {
        message_assembler a({.max_whole_message_bytes = 5});
        const auto cs = chunked("m1", body, 10, 30);
        for (const auto& c : cs)
            REQUIRE(a.add(Chunk(c), out) == ok);
        REQUIRE(out.size() == 3);
        for (const auto& c : cs)
            CHECK(a.add(Chunk(c), out) == ok);
        CHECK(out.size() == 3);
        CHECK(a.messages_in_progress() == 0);
    }
    SECTION("up to remembered_message_ids") {
        message_assembler a({.remembered_message_ids = 2});
        for (const char* id : {"m1", "m2", "m3"})
            REQUIRE(a.add(part(id, body, 1, 30, 30, '$'), out) == ok);
        REQUIRE(out.size() == 3);
        CHECK(a.add(part("m3", body, 1, 10, 30, '+'), out) == ok);
        CHECK(a.add(part("m2", body, 1, 30, 30, '$'), out) == ok);
        CHECK(out.size() == 3);
        CHECK(a.messages_in_progress() == 0);
        // m1 is forgotten: its chunk starts it again.
        CHECK(a.add(part("m1", body, 1, 10, 30, '+'), out) == ok);
        CHECK(a.messages_in_progress() == 1);
    }
    SECTION("the newest ones, however many came") {
        message_assembler a({.remembered_message_ids = 3});
        for (int i = 0; i < 10; ++i)
            REQUIRE(a.add(part("id" + std::to_string(i), body, 1, 30, 30, '$'), out) == ok);
        REQUIRE(out.size() == 10);
        for (int i = 7; i < 10; ++i)
            CHECK(a.add(part("id" + std::to_string(i), body, 1, 30, 30, '$'), out) == ok);
        CHECK(out.size() == 10);
        for (int i = 0; i < 7; ++i)
            CHECK(a.add(part("id" + std::to_string(i), body, 1, 30, 30, '$'), out) == ok);
        CHECK(out.size() == 17);
    }
}

TEST_CASE("assembler: a Message-ID longer than an ident is refused", "[assembler]") {
    message_assembler a;
    std::vector<IncomingMessage> out;
    const std::string body = letters(30);
    CHECK(a.add(part(std::string(33, 'm'), body, 1, 30, 30, '$'), out) == msrp::errc::bad_message_id);
    CHECK(out.empty());
    CHECK(msrp::status_code_for(msrp::errc::bad_message_id) == 400);
    REQUIRE(a.add(part(std::string(32, 'm'), body, 1, 30, 30, '$'), out) == ok);
    CHECK(out.size() == 1);
}

TEST_CASE("assembler: interleaved messages stay apart", "[assembler]") {
    const std::string x = letters(30), y = std::string(25, 'Y') + "yyyyy", z = letters(150);
    message_assembler a({.max_whole_message_bytes = 100});
    std::vector<IncomingMessage> out;

    REQUIRE(a.add(part("X", x, 1, 10, 30, '+'), out) == ok);
    REQUIRE(a.add(part("Y", y, 21, 30, 30, '$'), out) == ok);
    REQUIRE(a.add(part("Z", z, 1, 50, 150, '+'), out) == ok);
    REQUIRE(a.add(part("X", x, 11, 20, 30, '+'), out) == ok);
    REQUIRE(a.add(part("Y", y, 1, 20, 30, '+'), out) == ok);
    REQUIRE(a.add(part("Z", z, 101, 150, 150, '$'), out) == ok);
    REQUIRE(a.add(part("X", x, 21, 30, 30, '$'), out) == ok);
    REQUIRE(a.add(part("Z", z, 51, 100, 150, '+'), out) == ok);
    INFO(show(out));
    REQUIRE(out.size() == 5);
    CHECK(id_of(out[0]) == "Z");
    CHECK(range_of(out[0]) == "1-50/150");
    CHECK(out[0].contflag == '+');
    check_whole(out[1], "Y", y);
    CHECK(id_of(out[2]) == "Z");
    CHECK(range_of(out[2]) == "101-150/150");
    CHECK(out[2].contflag == '+');
    check_whole(out[3], "X", x);
    CHECK(id_of(out[4]) == "Z");
    CHECK(range_of(out[4]) == "51-100/150");
    CHECK(out[4].contflag == '$');
    CHECK(out[0].data + out[4].data + out[2].data == z);
    CHECK(a.messages_in_progress() == 0);
    CHECK(a.buffered_bytes() == 0);
}

TEST_CASE("assembler: randomized chunking, order, duplicates and overlaps", "[assembler][random]") {
    const std::uint64_t seed = std::random_device{}();
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    auto below = [&](std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng); };
    auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };

    // How the messages came out, over all rounds: each way must be exercised.
    int whole_one_chunk = 0, whole_chunked = 0, in_pieces = 0;
    for (int round = 0; round < 300; ++round) {
        INFO("round " << round);
        const bool small_whole = chance(0.5);
        assembler_limits limits;
        limits.max_whole_message_bytes = small_whole ? below(200) : 1u << 20;
        message_assembler a(limits);
        INFO("max_whole_message_bytes " << limits.max_whole_message_bytes);

        struct msg {
            std::string id, body;
            bool known_total; // every chunk carries the total; else some or none
            int completions = 0;
            rebuilt r;
            std::size_t outputs = 0;
            bool first_seen = false;
            bool expect_whole = false;
            std::size_t chunks = 0;
        };
        const std::size_t count = 1 + below(4);
        std::vector<msg> msgs(count);
        std::vector<std::pair<std::size_t, Chunk>> chunks;
        for (std::size_t k = 0; k < count; ++k) {
            auto& m = msgs[k];
            m.id = "msg" + std::to_string(round) + "_" + std::to_string(k);
            const std::size_t size = chance(0.1) ? below(3) : below(5001);
            m.body.resize(size);
            for (auto& ch : m.body)
                ch = static_cast<char>(below(256));
            const int total_mode = static_cast<int>(below(3)); // 0 known, 1 unknown, 2 mixed
            m.known_total = total_mode == 0;
            auto total_for = [&] {
                return total_mode == 0 || (total_mode == 2 && chance(0.5)) ? size : star;
            };
            auto make = [&](std::uint64_t first, std::uint64_t last) {
                // Byte-Range end: exact or *; `$` only on chunks that end the message.
                const bool ends = last == size;
                const char flag = ends && chance(0.9) ? '$' : '+';
                const std::uint64_t end = chance(0.3) ? star : last;
                chunks.emplace_back(k, send(m.id, first, end, total_for(), m.body.substr(first - 1, last - first + 1),
                                            flag, "t" + std::to_string(chunks.size()) + "r"));
            };
            const std::size_t own_first = chunks.size();
            // A partition of the message, its last chunk `$`.
            std::vector<std::uint64_t> cuts{0, size};
            const std::uint64_t pieces = size == 0 ? 0 : below(std::min<std::uint64_t>(size, 12));
            for (std::uint64_t i = 0; i < pieces; ++i)
                cuts.push_back(1 + below(size));
            std::sort(cuts.begin(), cuts.end());
            cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
            if (size == 0) {
                chunks.emplace_back(k, send(m.id, 1, chance(0.5) ? 0 : star, total_for(), "", '$', "t0e"));
            } else {
                for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
                    const std::uint64_t first = cuts[i] + 1, last = cuts[i + 1];
                    chunks.emplace_back(k, send(m.id, first, chance(0.3) ? star : last, total_for(),
                                                m.body.substr(first - 1, last - first + 1), last == size ? '$' : '+',
                                                "t" + std::to_string(chunks.size()) + "p"));
                }
                // Overlapping chunks and duplicates.
                const std::uint64_t extra = below(6);
                for (std::uint64_t i = 0; i < extra; ++i) {
                    std::uint64_t x = 1 + below(size), y = 1 + below(size);
                    if (x > y)
                        std::swap(x, y);
                    make(x, y);
                }
                const std::size_t end_of_own = chunks.size();
                const std::uint64_t dups = below(4);
                for (std::uint64_t i = 0; i < dups; ++i) {
                    const Chunk copy = chunks[own_first + below(end_of_own - own_first)].second;
                    chunks.emplace_back(k, copy);
                }
                // Sometimes an empty `$` chunk at the end.
                if (chance(0.2))
                    chunks.emplace_back(k, send(m.id, size + 1, chance(0.5) ? size : star, total_for(), "", '$',
                                                "t0z"));
            }
        }
        std::shuffle(chunks.begin(), chunks.end(), rng);
        for (const auto& [k, c] : chunks)
            ++msgs[k].chunks;

        std::vector<IncomingMessage> out;
        for (auto& [k, c] : chunks) {
            auto& m = msgs[k];
            if (!m.first_seen) {
                // What the first chunk to arrive decides.
                m.first_seen = true;
                const auto r = c.byte_range().value();
                const bool one_chunk = r.start == 1 && c.contflag == '$' &&
                                       (r.total == star || r.total == c.data.size());
                m.expect_whole =
                    one_chunk || (r.total != star && r.total <= limits.max_whole_message_bytes);
            }
            INFO("message " << m.id << " size " << m.body.size() << " chunk " << range_of(c) << ' ' << c.contflag
                            << " expect whole " << m.expect_whole);
            out.clear();
            REQUIRE(a.add(std::move(c), out) == ok);
            INFO(show(out));
            for (const auto& o : out) {
                REQUIRE(id_of(o) == m.id);
                REQUIRE(m.completions == 0); // nothing after completion
                REQUIRE(o.failure == ok);
                REQUIRE((o.contflag == '$' || o.contflag == '+'));
                ++m.outputs;
                if (o.contflag == '$') {
                    ++m.completions;
                    REQUIRE(range_of(o).ends_with("/" + std::to_string(m.body.size())));
                } else {
                    REQUIRE_FALSE(m.expect_whole);
                    ByteRange r;
                    REQUIRE(ByteRange::parse(range_of(o), r) == ok);
                    REQUIRE((r.total == star || r.total == m.body.size()));
                }
                m.r.add(o);
            }
        }
        for (auto& m : msgs) {
            INFO("message " << m.id << " size " << m.body.size() << " expect whole " << m.expect_whole);
            CHECK(m.completions == 1);
            CHECK(m.r.bytes == m.body);
            CHECK(m.r.all_seen());
            if (m.expect_whole)
                CHECK(m.outputs == 1);
            if (!m.expect_whole)
                ++in_pieces;
            else if (m.chunks == 1)
                ++whole_one_chunk;
            else
                ++whole_chunked;
        }
        CHECK(a.messages_in_progress() == 0);
        CHECK(a.buffered_bytes() == 0);
    }
    INFO("whole in one chunk " << whole_one_chunk << ", whole from chunks " << whole_chunked << ", in pieces "
                               << in_pieces);
    CHECK(whole_one_chunk > 0);
    CHECK(whole_chunked > 20);
    CHECK(in_pieces > 20);
}

TEST_CASE("assembler: a Byte-Range that does not parse is refused, not read as absent", "[assembler]") {
    msrp::message_assembler assembler;
    msrp::Chunk c;
    c.method = "SEND";
    c.transaction_id = "tid12345";
    c.set_message_id("badrange1");
    c.set_header("Byte-Range", "83-1346/1261"); // ends beyond its total
    c.set_content_type("text/plain");
    c.has_body = true;
    c.data = std::string(1264, 'x');
    std::vector<msrp::IncomingMessage> out;
    CHECK(assembler.add(std::move(c), out) == msrp::errc::bad_byte_range);
    CHECK(out.empty());
    CHECK(assembler.messages_in_progress() == 0);
}

TEST_CASE("assembler: a whole message whose Byte-Range counts characters, not octets, is taken by its body",
          "[assembler]") {
    // What AG Projects' msrplib sends for "héllo": 6 octets, Byte-Range 1-5/5.
    const std::string hello = "h\xc3\xa9llo";
    REQUIRE(hello.size() == 6);
    message_assembler a;
    std::vector<IncomingMessage> out;
    CHECK(a.add(send("miscount1", 1, 5, 5, hello, '$'), out) == ok);
    REQUIRE(out.size() == 1);
    CHECK(out[0].data == hello);
    CHECK(out[0].byte_range() == ByteRange{1, 6, 6});
    CHECK(out[0].complete());
    // Longer than announced too (characters outside the BMP: 4 octets each).
    out.clear();
    CHECK(a.add(send("miscount2", 1, 2, 2, "\xf0\x9f\x98\x80\xf0\x9f\x98\x80", '$'), out) == ok);
    REQUIRE(out.size() == 1);
    CHECK(out[0].byte_range() == ByteRange{1, 8, 8});

    // Where it could mean something else, the Byte-Range still rules.
    message_assembler b;
    out.clear();
    CHECK(b.add(send("partial-1", 1, 5, 10, hello, '$'), out) == err(errc::inconsistent_byte_range)); // not 1-N/N
    CHECK(b.add(send("later-part", 6, 10, 10, hello, '$'), out) == err(errc::inconsistent_byte_range)); // not from 1
    CHECK(b.add(send("in-pieces", 1, 3, 6, "h\xc3\xa9", '+'), out) == ok);
    CHECK(b.add(send("in-pieces", 1, 5, 5, hello, '$'), out) != ok); // a message already in progress
    CHECK(b.add(send("shorter", 1, 9, 9, hello, '$'), out) == err(errc::inconsistent_byte_range)); // not a miscount
    CHECK(out.empty());

    // Off: refused as RFC 4975 allows (400).
    assembler_limits strict;
    strict.accept_miscounted_whole_message = false;
    message_assembler c(strict);
    CHECK(c.add(send("miscount3", 1, 5, 5, hello, '$'), out) == err(errc::inconsistent_byte_range));
    CHECK(msrp::status_code_for(err(errc::inconsistent_byte_range)) == 400);
    CHECK(out.empty());
}

TEST_CASE("assembler: in_order_bytes says how far a message in progress arrived from its first byte",
          "[assembler]") {
    const std::string body = letters(300);
    for (const std::uint64_t whole_limit : {1000, 100}) { // held whole, and in pieces
        INFO("max_whole_message_bytes " << whole_limit);
        message_assembler a({.max_whole_message_bytes = whole_limit});
        std::vector<IncomingMessage> out;
        CHECK_FALSE(a.in_order_bytes("m1"));
        REQUIRE(a.add(part("m1", body, 101, 200, 300, '+'), out) == ok);
        CHECK(a.in_order_bytes("m1") == std::optional<std::uint64_t>(0)); // byte 1 has not come
        REQUIRE(a.add(part("m1", body, 1, 100, 300, '+'), out) == ok);
        CHECK(a.in_order_bytes("m1") == std::optional<std::uint64_t>(200));
        REQUIRE(a.add(part("m1", body, 1, 100, 300, '+'), out) == ok); // a duplicate
        CHECK(a.in_order_bytes("m1") == std::optional<std::uint64_t>(200));
        REQUIRE(a.add(part("m1", body, 201, 300, 300, '$'), out) == ok);
        CHECK_FALSE(a.in_order_bytes("m1")); // complete: no longer in progress
        // A one-chunk message is never in progress; a stopped one no longer.
        REQUIRE(a.add(part("m2", body, 1, 300, 300, '$'), out) == ok);
        CHECK_FALSE(a.in_order_bytes("m2"));
        REQUIRE(a.add(part("m3", body, 1, 50, 300, '+'), out) == ok);
        CHECK(a.in_order_bytes("m3") == std::optional<std::uint64_t>(50));
        CHECK(a.stop("m3"));
        CHECK_FALSE(a.in_order_bytes("m3"));
    }
}
