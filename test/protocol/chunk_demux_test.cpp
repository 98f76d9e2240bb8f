// chunk_demux step by step, no sockets: whole chunks and segments at every
// split, routing among the sessions of one connection, unknown sessions,
// the body limit, a session leaving in the middle of a chunk, and the
// "same paths as the previous chunk" fact.

#include "../support/vectors.hpp"

#include <msrp/protocol/chunk_demux.hpp>
#include <msrp/protocol/chunk_reader.hpp>
#include <msrp/protocol/error.hpp>

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

using msrp::chunk_demux;
using msrp::demux_event;
using msrp::errc;
using msrp::IncomingChunk;
namespace t = msrp::test;

namespace {

using slot = chunk_demux::slot;
constexpr slot nobody = chunk_demux::no_slot;

const std::string alice = "msrp://alice.example.com:7777/iau39soe2843z;tcp";
const std::string bob = "msrp://bob.example.com:8888/9di4eae923wzd;tcp";
const std::string carol = "msrp://carol.example.com:9999/c4r0l;tcp";
const std::string peer = "msrp://peer.example.com:1234/p33r;tcp";

std::string send_to(const std::string& to, const std::string& body, const std::string& tid = "a1b2c3d4",
                    const std::string& byte_range = "", char flag = '$', const std::string& from = peer) {
    const auto range = byte_range.empty() ? "1-" + std::to_string(body.size()) + "/" + std::to_string(body.size())
                                          : byte_range;
    return "MSRP " + tid + " SEND\r\nTo-Path: " + to + "\r\nFrom-Path: " + from +
           "\r\nMessage-ID: m1d2\r\nByte-Range: " + range + "\r\nContent-Type: text/plain\r\n\r\n" + body +
           "\r\n-------" + tid + flag + "\r\n";
}

std::string ok_to(const std::string& to, const std::string& tid = "r3sp0nse") {
    return "MSRP " + tid + " 200 OK\r\nTo-Path: " + to + "\r\nFrom-Path: " + peer + "\r\n-------" + tid + "$\r\n";
}

// Sessions by URI, in order; the fallback is the reader while it is there.
struct test_router : chunk_demux::router {
    std::vector<std::pair<slot, msrp::URI>> sessions;
    bool strangers_wanted = false;
    mutable int lookups = 0;

    void add(slot s, const std::string& uri) { sessions.emplace_back(s, msrp::URI::parse(uri)); }
    void remove(slot s) { std::erase_if(sessions, [&](const auto& e) { return e.first == s; }); }

    slot find_session(const msrp::URI& to) const override {
        ++lookups;
        for (const auto& [s, uri] : sessions)
            if (uri == to)
                return s;
        return nobody;
    }
    slot fallback_session(slot reader) const override {
        for (const auto& [s, uri] : sessions)
            if (s == reader)
                return s;
        return sessions.empty() ? nobody : sessions.front().first;
    }
    bool routes_by_to_path() const override { return sessions.size() > 1 || strangers_wanted; }
};

struct delivery {
    slot to = nobody;
    bool unknown = false; ///< demux_event::unknown_session
    IncomingChunk chunk;
};

struct run_result {
    std::vector<delivery> out;
    int skipped = 0;
    std::error_code ec;
};

// Feeds a stream the way a connection does: keeps the unconsumed bytes in
// front of the next piece, steps until need_more, takes what is handed out.
struct driver {
    chunk_demux demux;
    test_router* routes = nullptr;
    chunk_demux::reader who{};
    std::string pending;
    std::size_t begin = 0;
    run_result result;

    explicit driver(test_router* r = nullptr, std::uint64_t max_body = chunk_demux::default_max_chunk_body_bytes)
        : demux({}, max_body), routes(r) {}

    chunk_demux::result step() {
        const std::string_view input = std::string_view(pending).substr(begin);
        const auto r = routes ? demux.step(input, who, *routes) : demux.step(input, who);
        REQUIRE(r.consumed <= input.size());
        REQUIRE(r.wire.size() == r.consumed);
        begin += r.consumed;
        return r;
    }

    // Steps until need_more or an error; true unless an error came.
    bool drain() {
        for (;;) {
            const auto r = step();
            switch (r.event) {
            case demux_event::need_more:
                return true;
            case demux_event::head:
            case demux_event::body:
                break;
            case demux_event::chunk:
            case demux_event::segment: {
                delivery d;
                d.to = r.to;
                demux.take(d.chunk, r.to);
                result.out.push_back(std::move(d));
                break;
            }
            case demux_event::unknown_session: {
                delivery d;
                d.unknown = true;
                demux.take(d.chunk, nobody);
                result.out.push_back(std::move(d));
                break;
            }
            case demux_event::skipped:
                ++result.skipped;
                break;
            case demux_event::error:
                result.ec = r.ec;
                return false;
            }
        }
    }

    bool feed(std::string_view bytes) {
        pending.erase(0, begin);
        begin = 0;
        pending.append(bytes);
        return drain();
    }

    // The stream in pieces ending at `cuts`, then the end of input.
    run_result run(std::string_view bytes, const std::vector<std::size_t>& cuts) {
        std::size_t from = 0;
        for (auto cut : cuts) {
            if (!feed(bytes.substr(from, cut - from)))
                return result;
            from = cut;
        }
        if (feed(bytes.substr(from)))
            result.ec = demux.finish(pending.size() - begin);
        return result;
    }
};

// The chunks a plain chunk_reader gives for the stream in one piece.
std::vector<msrp::Chunk> reference(std::string_view bytes, std::error_code* ec = nullptr) {
    msrp::chunk_reader reader;
    auto e = reader.feed(bytes);
    if (!e)
        e = reader.finish();
    if (ec)
        *ec = e;
    std::vector<msrp::Chunk> out;
    while (auto c = reader.next())
        out.push_back(std::move(*c));
    return out;
}

// Segments joined back into whole chunks, checking their numbering, flags
// and Byte-Ranges on the way.
std::vector<delivery> join_segments(const std::vector<delivery>& pieces) {
    std::vector<delivery> whole;
    std::uint64_t next_start = 0;
    for (const auto& p : pieces) {
        if (p.chunk.segment <= 1) {
            whole.push_back(p);
            if (p.chunk.segment == 1)
                next_start = p.chunk.byte_range()->start;
        } else {
            REQUIRE(!whole.empty());
            auto& w = whole.back();
            CHECK(p.to == w.to);
            CHECK(p.chunk.segment == w.chunk.segment + 1);
            w.chunk.data += p.chunk.data;
            w.chunk.segment = p.chunk.segment;
            w.chunk.end_of_chunk = p.chunk.end_of_chunk;
            w.chunk.contflag = p.chunk.contflag;
        }
        if (p.chunk.segment > 0) {
            const auto r = p.chunk.byte_range();
            REQUIRE(r);
            CHECK(r->start == next_start);
            if (!p.chunk.end_of_chunk) {
                CHECK(r->end == r->start + p.chunk.data.size() - 1);
                CHECK(p.chunk.contflag == msrp::contflag::more);
            }
            next_start += p.chunk.data.size();
        }
    }
    for (auto& w : whole) {
        CHECK(w.chunk.end_of_chunk);
        w.chunk.segment = 0;
    }
    return whole;
}

// What a segmented chunk and its whole form share: all but the Byte-Range.
void check_same_chunk(const msrp::Chunk& got, const msrp::Chunk& want) {
    CHECK(got.transaction_id == want.transaction_id);
    CHECK(got.method == want.method);
    CHECK(got.code == want.code);
    CHECK(got.data == want.data);
    CHECK(got.contflag == want.contflag);
    CHECK(got.has_body == want.has_body);
    CHECK(got.to_path() == want.to_path());
    CHECK(got.from_path() == want.from_path());
    CHECK(got.message_id() == want.message_id());
}

std::string vector_stream() {
    std::string s;
    for (const char* name : {"rfc4975-s4-fig2-send.msrp", "rfc4975-s4-fig2-200ok.msrp",
                             "rfc4975-s11.1-step4-send.msrp", "rfc4975-s11.1-step5-200ok.msrp",
                             "rfc4975-s11.4-fig14-cpim-chunk1-send.msrp", "rfc4975-s11.4-fig15-cpim-chunk2-send.msrp",
                             "rfc4976-s3-send-alice-to-relayA.msrp", "rfc4976-s3-report-relayA-to-alice.msrp"})
        s += t::read_file(t::vectors_dir() + "/" + name);
    return s;
}

} // namespace

TEST_CASE("whole chunks of one session: what chunk_reader gives, at every split", "[demux]") {
    const auto stream = vector_stream();
    const auto want = reference(stream);
    REQUIRE(want.size() == 8);
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        driver d;
        const auto got = d.run(stream, {cut});
        INFO("split at " << cut);
        REQUIRE(!got.ec);
        REQUIRE(got.out.size() == want.size());
        for (std::size_t i = 0; i < want.size(); ++i) {
            CHECK(got.out[i].to == 0);
            CHECK(!got.out[i].unknown);
            CHECK(got.out[i].chunk.segment == 0);
            CHECK(got.out[i].chunk.end_of_chunk);
            CHECK(static_cast<const msrp::Chunk&>(got.out[i].chunk) == want[i]);
        }
    }
    std::vector<std::size_t> every_byte;
    for (std::size_t i = 1; i < stream.size(); ++i)
        every_byte.push_back(i);
    driver d;
    const auto got = d.run(stream, every_byte);
    REQUIRE(got.out.size() == want.size());
    CHECK(static_cast<const msrp::Chunk&>(got.out.back().chunk) == want.back());
}

TEST_CASE("an invalid stream fails the same way at every split", "[demux]") {
    const auto stream = send_to(bob, "first") + "MSRP a1b2c3d4 SEND\r\nTo-Path: " + bob + "\r\n\r\n";
    std::error_code want_ec;
    const auto want = reference(stream, &want_ec);
    REQUIRE(want_ec);
    for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        driver d;
        const auto got = d.run(stream, {cut});
        INFO("split at " << cut);
        CHECK(got.ec == want_ec);
        CHECK(got.out.size() == want.size());
        // Errors are final.
        CHECK(d.demux.step("MSRP", {}).event == demux_event::error);
    }
}

TEST_CASE("segments carry narrowed Byte-Ranges, numbers and the + flag; the last one the chunk's flag",
          "[demux]") {
    const std::string body(100, 'x');
    const auto wire = send_to(bob, body, "s3gm3nts", "1-100/100");
    const auto head_end = wire.find("\r\n\r\n") + 4;
    driver d;
    d.who.segment_bytes = 10;
    REQUIRE(d.feed(wire.substr(0, head_end + 30)));
    CHECK(d.demux.segment_owner() == 0);
    CHECK(d.demux.reading_in_segments());
    REQUIRE(d.result.out.size() == 1);
    REQUIRE(d.feed(wire.substr(head_end + 30, 50)));
    REQUIRE(d.result.out.size() == 2);
    REQUIRE(d.feed(wire.substr(head_end + 80)));
    REQUIRE(d.result.out.size() == 3);
    CHECK(d.demux.between_chunks());
    CHECK(d.demux.segment_owner() == nobody);

    const auto& s = d.result.out;
    CHECK(s[0].chunk.segment == 1);
    CHECK(s[0].chunk.data == std::string(30, 'x'));
    CHECK(*s[0].chunk.byte_range() == msrp::ByteRange{1, 30, 100});
    CHECK(s[0].chunk.contflag == '+');
    CHECK(!s[0].chunk.end_of_chunk);
    CHECK(s[1].chunk.segment == 2);
    CHECK(*s[1].chunk.byte_range() == msrp::ByteRange{31, 80, 100});
    CHECK(!s[1].chunk.end_of_chunk);
    CHECK(s[2].chunk.segment == 3);
    CHECK(*s[2].chunk.byte_range() == msrp::ByteRange{81, 100, 100});
    CHECK(s[2].chunk.contflag == '$');
    CHECK(s[2].chunk.end_of_chunk);
    for (const auto& p : s) {
        CHECK(p.to == 0);
        CHECK(p.chunk.transaction_id == "s3gm3nts");
        CHECK(p.chunk.message_id() == "m1d2");
    }
}

TEST_CASE("a chunk complete in the input comes out whole, segments or not", "[demux]") {
    const auto wire = send_to(bob, std::string(5000, 'y'));
    for (std::size_t size : {0u, 10u, 100000u}) {
        driver d;
        d.who.segment_bytes = size;
        REQUIRE(d.feed(wire));
        REQUIRE(d.result.out.size() == 1);
        CHECK(d.result.out[0].chunk.segment == 0);
        CHECK(d.result.out[0].chunk.data.size() == 5000);
        CHECK(d.result.out[0].chunk.byte_range() == msrp::ByteRange{1, 5000, 5000});
    }
}

TEST_CASE("a body that ends where a segment ended gives an empty last segment with the real flag", "[demux]") {
    const auto wire = send_to(bob, "abcdef", "3mptyl4st", "1-6/6", '$');
    const auto body_end = wire.find("abcdef") + 6;
    driver d;
    d.who.segment_bytes = 0;
    REQUIRE(d.feed(wire.substr(0, body_end)));
    REQUIRE(d.result.out.size() == 1);
    CHECK(d.result.out[0].chunk.data == "abcdef");
    REQUIRE(d.feed(wire.substr(body_end)));
    REQUIRE(d.result.out.size() == 2);
    const auto& last = d.result.out[1].chunk;
    CHECK(last.segment == 2);
    CHECK(last.data.empty());
    CHECK(*last.byte_range() == msrp::ByteRange{7, 6, 6});
    CHECK(last.contflag == '$');
    CHECK(last.end_of_chunk);
}

TEST_CASE("segments at every split, of every size, join to the whole chunks", "[demux]") {
    const auto stream = send_to(bob, std::string(300, 'a') + "\r\n-------other$\r\n" + std::string(200, 'b'), "b1gchunk",
                                "1-*/*", '+') +
                        ok_to(bob) + send_to(bob, "tail", "t41lchunk", "518-521/521");
    const auto want = reference(stream);
    REQUIRE(want.size() == 3);
    for (std::size_t size : {0u, 1u, 7u, 64u, 1000u}) {
        for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
            INFO("segments of " << size << ", split at " << cut);
            driver d;
            d.who.segment_bytes = size;
            const auto got = d.run(stream, {cut, std::min(stream.size(), cut + 37)});
            REQUIRE(!got.ec);
            const auto whole = join_segments(got.out);
            REQUIRE(whole.size() == want.size());
            for (std::size_t i = 0; i < want.size(); ++i)
                check_same_chunk(whole[i].chunk, want[i]);
        }
    }
}

TEST_CASE("chunks go to the session their To-Path names; a route learnt is reused", "[demux]") {
    test_router routes;
    routes.add(1, alice);
    routes.add(2, bob);
    driver d(&routes);
    d.who.id = 1;
    const auto stream = send_to(alice, "1", "tid00001") + send_to(alice, "2", "tid00002") + ok_to(bob) +
                        send_to(bob, "4", "tid00004") + send_to(alice, "5", "tid00005");
    const auto got = d.run(stream, {});
    REQUIRE(!got.ec);
    REQUIRE(got.out.size() == 5);
    const slot want[] = {1, 1, 2, 2, 1};
    for (std::size_t i = 0; i < 5; ++i) {
        CHECK(got.out[i].to == want[i]);
        CHECK(!got.out[i].unknown);
    }
    // Parsed To-Paths: the first chunk and each change of session only.
    CHECK(routes.lookups == 3);
    CHECK(got.out[3].chunk.data == "4");
}

TEST_CASE("one session and nobody to offer strangers to: To-Paths are not read", "[demux]") {
    test_router routes;
    routes.add(7, alice);
    driver d(&routes);
    d.who.id = 7;
    const auto got = d.run(send_to(bob, "not for alice") + send_to(alice, "for alice"), {});
    REQUIRE(got.out.size() == 2);
    CHECK(got.out[0].to == 7); // answered 481 by the session itself
    CHECK(got.out[1].to == 7);
    CHECK(routes.lookups == 0);
}

TEST_CASE("a chunk for no session of the connection comes out as unknown_session", "[demux]") {
    test_router routes;
    routes.add(1, alice);
    routes.strangers_wanted = true;
    driver d(&routes);
    d.who.id = 1;
    d.who.segment_bytes = 0; // strangers are never read in segments
    const auto body = std::string(3000, 'c');
    const auto stream = send_to(carol, body) + send_to(alice, "mine");
    for (std::size_t cut = 0; cut <= stream.size(); cut += 101) {
        driver split(&routes);
        split.who = d.who;
        const auto got = split.run(stream, {cut});
        REQUIRE(got.out.size() >= 2);
        CHECK(got.out[0].unknown);
        CHECK(got.out[0].chunk.segment == 0);
        CHECK(got.out[0].chunk.data == body);
        CHECK(!got.out[0].chunk.same_paths_as_previous);
        CHECK(join_segments({got.out.begin() + 1, got.out.end()}).front().chunk.data == "mine");
        CHECK(got.out.back().to == 1);
    }
}

TEST_CASE("whole chunks are bounded by max_chunk_body_bytes; chunks read in segments are not", "[demux]") {
    const auto big = send_to(alice, std::string(5000, 'z'));
    SECTION("whole") {
        driver d(nullptr, 4096);
        const auto got = d.run(big, {100, 2000});
        CHECK(got.ec == errc::body_too_large);
        CHECK(d.demux.finish() == errc::body_too_large);
        CHECK(d.demux.step("", {}).ec == errc::body_too_large);
    }
    SECTION("in segments") {
        driver d(nullptr, 4096);
        d.who.segment_bytes = 1000;
        const auto got = d.run(big, {100, 2000, 4000});
        REQUIRE(!got.ec);
        CHECK(join_segments(got.out).front().chunk.data.size() == 5000);
    }
    SECTION("another session's chunk is read whole") {
        test_router routes;
        routes.add(1, bob);
        routes.add(2, alice);
        driver d(&routes, 4096);
        d.who = {1, 1000};
        const auto got = d.run(big, {100, 2000});
        CHECK(got.ec == errc::body_too_large);
    }
}

TEST_CASE("a session that leaves in the middle of its chunk read in segments: the rest is skipped", "[demux]") {
    test_router routes;
    routes.add(1, alice);
    routes.add(2, bob);
    driver d(&routes);
    d.who = {1, 10};
    const auto first = send_to(alice, std::string(100, 'a'), "l34v1ng1");
    const auto cut = first.find("\r\n\r\n") + 4 + 40;
    REQUIRE(d.feed(first.substr(0, cut)));
    REQUIRE(d.result.out.size() == 1);
    CHECK(d.demux.segment_owner() == 1);
    routes.remove(1);
    d.demux.session_left(1);
    CHECK(d.demux.segment_owner() == nobody);
    CHECK(d.demux.reading_in_segments());
    d.who = {2, 10};
    REQUIRE(d.feed(first.substr(cut) + send_to(bob, "for bob", "f0rb0b00")));
    CHECK(d.result.skipped == 1);
    REQUIRE(d.result.out.size() == 2);
    CHECK(d.result.out[1].to == 2);
    CHECK(d.result.out[1].chunk.data == "for bob");
    CHECK(d.demux.between_chunks());
}

TEST_CASE("a session that leaves while a whole chunk is read for it: the chunk goes to the fallback", "[demux]") {
    test_router routes;
    routes.add(1, alice);
    routes.add(2, bob);
    driver d(&routes);
    d.who = {1, std::nullopt};
    const auto wire = send_to(bob, std::string(100, 'b'));
    REQUIRE(d.feed(wire.substr(0, 200)));
    CHECK(d.result.out.empty());
    routes.remove(2);
    d.demux.session_left(2);
    REQUIRE(d.feed(wire.substr(200)));
    REQUIRE(d.result.out.size() == 1);
    CHECK(d.result.out[0].to == 1); // it answers 481
    CHECK(d.result.out[0].chunk.data == std::string(100, 'b'));
    // And when nobody is left, the chunk is dropped.
    driver alone(&routes);
    alone.who = {1, std::nullopt};
    REQUIRE(alone.feed(wire.substr(0, 200)));
    routes.remove(1);
    alone.demux.session_left(1);
    REQUIRE(alone.feed(wire.substr(200)));
    CHECK(alone.result.out.empty());
    CHECK(alone.result.skipped == 1);
}

TEST_CASE("same_paths_as_previous: the paths of the previous chunk the same session got", "[demux]") {
    test_router routes;
    routes.add(1, alice);
    routes.add(2, bob);
    driver d(&routes);
    d.who = {1, std::nullopt};
    auto flags = [&](const std::string& stream) {
        const auto from = d.result.out.size();
        REQUIRE(d.feed(stream));
        std::vector<bool> out;
        for (auto i = from; i < d.result.out.size(); ++i)
            out.push_back(d.result.out[i].chunk.same_paths_as_previous);
        return out;
    };
    // The first chunk has no previous one; the next ones repeat its paths.
    CHECK(flags(send_to(alice, "1") + send_to(alice, "2") + ok_to(alice)) == std::vector<bool>{false, true, true});
    // Another session's chunk in between: the paths repeat, but not to the same session.
    CHECK(flags(send_to(bob, "3") + send_to(alice, "4") + send_to(alice, "5")) ==
          std::vector<bool>{false, false, true});
    // After the routes changed, nothing is known.
    d.demux.forget_routes();
    CHECK(flags(send_to(alice, "6") + send_to(alice, "7")) == std::vector<bool>{false, true});
    // Other paths, then back: no.
    CHECK(flags(send_to(alice, "8", "a1b2c3d4", "", '$', "msrp://other.example.com:1/x;tcp") +
                send_to(alice, "9")) == std::vector<bool>{false, false});
    // Segments after the first repeat their head.
    d.who.segment_bytes = 1;
    const auto wire = send_to(alice, std::string(50, 's'));
    const auto cut = wire.find("\r\n\r\n") + 10;
    CHECK(flags(wire.substr(0, cut)) == std::vector<bool>{true});
    CHECK(flags(wire.substr(cut)) == std::vector<bool>{true});
}

TEST_CASE("a chunk not taken is dropped, and the next one relates to nothing", "[demux]") {
    chunk_demux demux;
    const auto two = send_to(alice, "1") + send_to(alice, "2") + send_to(alice, "3");
    std::string_view input = two;
    IncomingChunk out;
    int chunks = 0;
    for (;;) {
        const auto r = demux.step(input, {});
        input.remove_prefix(r.consumed);
        if (r.event == demux_event::need_more)
            break;
        if (r.event != demux_event::chunk)
            continue;
        if (++chunks != 2) // the second one is not taken
            demux.take(out, 0);
        if (chunks == 3) {
            CHECK(out.data == "3");
            CHECK(!out.same_paths_as_previous);
        }
    }
    CHECK(chunks == 3);
    demux.take(out, 0); // nothing left to take: no change
    CHECK(out.data == "3");
}

TEST_CASE("a reader that keeps its chunk reads without allocating once warm", "[demux]") {
    chunk_demux demux;
    const auto wire = send_to(alice, std::string(1000, 'w'));
    IncomingChunk out;
    std::vector<const char*> bodies;
    for (int i = 0; i < 4; ++i) {
        std::string_view input = wire;
        for (;;) {
            const auto r = demux.step(input, {});
            input.remove_prefix(r.consumed);
            if (r.event == demux_event::chunk) {
                demux.take(out, 0);
                break;
            }
        }
        REQUIRE(out.data.size() == 1000);
        bodies.push_back(out.data.data());
    }
    // The chunk and the demux swap two sets of buffers back and forth.
    CHECK(bodies[2] == bodies[0]);
    CHECK(bodies[3] == bodies[1]);
}

TEST_CASE("segments of a body longer than its Byte-Range says keep well-formed ranges", "[demux]") {
    // The peer announces 10 octets and sends 20: reassembly must find the
    // mistake, so the segments must still parse.
    const auto wire = send_to(bob, std::string(20, 'o'), "0v3rrun0", "1-10/10");
    const auto head_end = wire.find("\r\n\r\n") + 4;
    driver d;
    d.who.segment_bytes = 0;
    REQUIRE(d.feed(wire.substr(0, head_end + 15)));
    REQUIRE(d.feed(wire.substr(head_end + 15)));
    REQUIRE(d.result.out.size() == 2);
    const auto first = d.result.out[0].chunk.byte_range();
    const auto last = d.result.out[1].chunk.byte_range();
    REQUIRE(first);
    REQUIRE(last);
    CHECK(*first == msrp::ByteRange{1, 15, msrp::ByteRange::unknown});
    CHECK(last->start == 16);
    CHECK(last->end == 20);
    CHECK(last->total == msrp::ByteRange::unknown);
}
