// The parser's limits, options and calling contract.

#include "../support/vectors.hpp"

#include <msrp/protocol/chunk_parser.hpp>
#include <msrp/protocol/chunk_reader.hpp>
#include <msrp/protocol/error.hpp>

#include <catch2/catch.hpp>

using msrp::errc;
using msrp::parse_event;
namespace t = msrp::test;

namespace {

const std::string to_from = "To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
                            "From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n";

std::string send_chunk(const std::string& body, const std::string& tid = "a1b2c3d4",
                       const std::string& extra_headers = "") {
    return "MSRP " + tid + " SEND\r\n" + to_from + "Message-ID: 12339sdqwer\r\n" + extra_headers +
           "Content-Type: text/plain\r\n\r\n" + body + "\r\n-------" + tid + "$\r\n";
}

std::string vector(const std::string& relative) {
    return t::read_file(t::vectors_dir() + "/" + relative);
}

} // namespace

TEST_CASE("what is not MSRP is rejected from its first bytes", "[parser]") {
    msrp::chunk_parser p;
    const auto r = p.parse("G");
    CHECK(r.event == parse_event::error);
    CHECK(r.ec == errc::bad_start_line);
    CHECK(p.failed());
    // Errors are final.
    CHECK(p.parse("MSRP a1b2c3d4 SEND\r\n").ec == errc::bad_start_line);
    p.reset();
    CHECK(p.parse("MSRP").event == parse_event::need_more);
}

TEST_CASE("line and header limits are errors, not allocations", "[parser][limits]") {
    msrp::parser_options o;
    o.limits.max_line_bytes = 100;
    o.limits.max_header_block_bytes = 400;
    o.limits.max_header_count = 8;

    SECTION("a line over the limit fails before its end arrives") {
        msrp::chunk_parser p(o);
        const std::string start = "MSRP a1b2c3d4 SEND\r\nX-Long: " + std::string(200, 'x');
        const auto r = p.parse(start);
        CHECK(r.ec == errc::line_too_long);
    }
    SECTION("a line at the limit passes") {
        const auto chunk = send_chunk("hi", "a1b2c3d4", "X-Long: " + std::string(92, 'x') + "\r\n");
        CHECK(t::feed_whole(chunk, o).chunks.size() == 1);
    }
    SECTION("the header block limit") {
        std::string headers;
        for (int i = 0; i < 3; ++i) // 20 + 116 + 25 + 3 * 96 + 28 > 400
            headers += "X-" + std::to_string(i) + ": " + std::string(90, 'y') + "\r\n";
        CHECK(t::feed_whole(send_chunk("hi", "a1b2c3d4", headers), o).ec == errc::header_block_too_large);
        CHECK(t::feed_bytewise(send_chunk("hi", "a1b2c3d4", headers), o).ec == errc::header_block_too_large);
    }
    SECTION("the header count limit") {
        o.limits.max_header_count = 4;
        CHECK(t::feed_whole(send_chunk("hi", "a1b2c3d4", "X-A: 1\r\n"), o).ec == errc::too_many_headers);
        o.limits.max_header_count = 5;
        CHECK_FALSE(t::feed_whole(send_chunk("hi", "a1b2c3d4", "X-A: 1\r\n"), o).ec);
    }
}

TEST_CASE("transaction id length is a configurable limit", "[parser][limits]") {
    const auto tid33 = vector("invalid/inv05-tid-too-long.msrp");
    CHECK(t::feed_whole(tid33).ec == errc::bad_transaction_id);
    msrp::parser_options o;
    o.limits.max_transaction_id_bytes = 40;
    const auto got = t::feed_whole(tid33, o);
    CHECK_FALSE(got.ec);
    REQUIRE(got.chunks.size() == 1);
    CHECK(got.chunks[0].transaction_id.size() == 33);
}

TEST_CASE("body limits", "[parser][limits]") {
    SECTION("non-SEND bodies default to RFC 4975's 10240 octets") {
        CHECK(t::feed_whole(vector("invalid/inv51-report-body-too-large.msrp")).ec == errc::body_too_large);
        msrp::parser_options o;
        o.limits.max_non_send_body_bytes = 20000;
        CHECK_FALSE(t::feed_whole(vector("invalid/inv51-report-body-too-large.msrp"), o).ec);
    }
    SECTION("max_body_bytes bounds SEND bodies") {
        msrp::parser_options o;
        o.limits.max_body_bytes = 1000;
        CHECK_FALSE(t::feed_whole(send_chunk(std::string(1000, 'b')), o).ec);
        CHECK(t::feed_whole(send_chunk(std::string(1001, 'b')), o).ec == errc::body_too_large);
        CHECK(t::feed_bytewise(send_chunk(std::string(1001, 'b')), o).ec == errc::body_too_large);
    }
}

TEST_CASE("leniency options accept what they name and nothing else", "[parser]") {
    const auto reordered = vector("invalid/inv13-from-path-before-to-path.msrp");
    const auto udp = vector("invalid/inv38-uri-unknown-transport.msrp");
    msrp::parser_options lenient;
    lenient.require_path_order = false;
    CHECK_FALSE(t::feed_whole(reordered, lenient).ec);
    CHECK(t::feed_whole(udp, lenient).ec == errc::unsupported_transport);
    msrp::parser_options any_transport;
    any_transport.accept_any_transport = true;
    CHECK_FALSE(t::feed_whole(udp, any_transport).ec);
    CHECK(t::feed_whole(reordered, any_transport).ec == errc::header_order);
}

TEST_CASE("after a header error the transaction id and status are known", "[parser]") {
    msrp::chunk_parser p;
    const auto bytes = vector("invalid/inv18-byte-range-alpha.msrp");
    const auto r = p.parse(bytes);
    REQUIRE(r.event == parse_event::error);
    CHECK(r.ec == errc::bad_byte_range);
    CHECK(p.transaction_id() == "a1b2c3d4");
    CHECK(msrp::status_code_for(r.ec) == 400);
    CHECK(p.finish() == errc::bad_byte_range);
}

TEST_CASE("body pieces are views into the input and only a possible end-line is held back", "[parser]") {
    msrp::chunk_parser p;
    const std::string head = "MSRP a1b2c3d4 SEND\r\n" + to_from +
                             "Message-ID: 12339sdqwer\r\nContent-Type: text/plain\r\n\r\n";
    auto r = p.parse(head);
    REQUIRE(r.event == parse_event::head);
    CHECK(r.consumed == head.size());
    CHECK(p.head().to_path == "msrp://bob.example.com:8888/9di4eae923wzd;tcp");
    CHECK(p.head().message_id == "12339sdqwer");
    CHECK(p.head().has_body);

    const std::string piece = "0123456789\r\n-----";
    r = p.parse(piece);
    REQUIRE(r.event == parse_event::body);
    CHECK(r.body.data() == piece.data());
    CHECK(r.body == "0123456789");
    CHECK(r.consumed == 10);
    // The rest might be the end-line: nothing more until more bytes come.
    r = p.parse(std::string_view(piece).substr(10));
    CHECK(r.event == parse_event::need_more);
    CHECK(r.consumed == 0);

    const std::string rest = "\r\n-----" "--a1b2c3d4+\r\n";
    r = p.parse(rest);
    CHECK(r.event == parse_event::end);
    CHECK(r.consumed == rest.size());
    CHECK(p.continuation_flag() == '+');
    CHECK(p.body_bytes() == 10);
    CHECK_FALSE(p.finish());
}

TEST_CASE("a big body is handed out in one piece", "[parser]") {
    const std::string body(1 << 20, 'z');
    const auto chunk = send_chunk(body);
    msrp::chunk_parser p;
    std::size_t pos = 0;
    auto r = p.parse(chunk);
    REQUIRE(r.event == parse_event::head);
    pos += r.consumed;
    r = p.parse(std::string_view(chunk).substr(pos));
    REQUIRE(r.event == parse_event::body);
    CHECK(r.body.size() == body.size());
}

TEST_CASE("chunks back to back in one buffer", "[parser]") {
    const auto stream = send_chunk("one", "tid00001") + vector("rfc4975-s4-fig2-200ok.msrp") +
                        vector("valid-edge/edge05-bodiless-send-1-0-0.msrp") + send_chunk("two", "tid00002");
    const auto got = t::feed_whole(stream);
    CHECK_FALSE(got.ec);
    REQUIRE(got.chunks.size() == 4);
    CHECK(got.chunks[0].data == "one");
    CHECK(got.chunks[1].code == 200);
    CHECK_FALSE(got.chunks[2].has_body);
    CHECK(got.chunks[3].data == "two");
    CHECK(t::feed_bytewise(stream) == got);
}

TEST_CASE("every chunk's paths are checked, also after equal ones passed", "[parser]") {
    // The parser skips the URIs of paths equal to the last good ones: a
    // change in either path, and Use-Path, are still read.
    auto chunk = [](const std::string& tid, const std::string& to, const std::string& from,
                    const std::string& extra = "") {
        return "MSRP " + tid + " SEND\r\nTo-Path: " + to + "\r\nFrom-Path: " + from +
               "\r\nMessage-ID: 12339sdqwer\r\n" + extra + "Content-Type: text/plain\r\n\r\nhi\r\n-------" + tid +
               "$\r\n";
    };
    const std::string to = "msrp://bob.example.com:8888/9di4eae923wzd;tcp";
    const std::string from = "msrp://alicepc.example.com:7777/iau39soe2843z;tcp";
    const std::string other_to = "msrp://bob.example.com:8889/x2;tcp";
    const std::string good = chunk("tid00001", to, from);
    CHECK(t::feed_whole(good + chunk("tid00002", to, from) + chunk("tid00003", other_to, from) +
                        chunk("tid00004", to, from))
              .chunks.size() == 4);
    CHECK(t::feed_whole(good + chunk("tid00002", to, "msrp://alicepc.example.com:7777/iau39soe2843z;udp")).ec ==
          errc::unsupported_transport);
    CHECK(t::feed_whole(good + chunk("tid00002", "msrp://bob.example.com:8888/9di4eae923wzd", from)).ec);
    CHECK(t::feed_whole(good + chunk("tid00002", to, "")).ec);
    CHECK(t::feed_whole(good + chunk("tid00002", "", "")).ec);
    CHECK(t::feed_whole(chunk("tid00001", "", "")).ec); // a new parser knows no paths
    CHECK(t::feed_whole(good + chunk("tid00002", to, from, "Use-Path: msrp://relay.example.com:9000;udp\r\n")).ec ==
          errc::unsupported_transport);
}

TEST_CASE("finish tells a clean end from a cut", "[parser]") {
    const auto chunk = send_chunk("hello");
    for (std::size_t cut = 1; cut < chunk.size(); ++cut) {
        const auto got = t::feed_whole(chunk.substr(0, cut));
        INFO("cut at " << cut);
        CHECK(got.ec == errc::truncated);
    }
    CHECK_FALSE(t::feed_whole(chunk).ec);
    CHECK_FALSE(t::feed_whole("").ec);
}

TEST_CASE("deployed forms the RFC allows", "[parser]") {
    SECTION("Byte-Range 1-*/* with '+'") {
        const auto got = t::feed_whole(send_chunk("part", "a1b2c3d4", "Byte-Range: 1-*/*\r\n"));
        REQUIRE(got.chunks.size() == 1);
        CHECK(got.chunks[0].byte_range() == msrp::ByteRange{1, msrp::ByteRange::unknown, msrp::ByteRange::unknown});
    }
    SECTION("start-*/total") {
        const auto got = t::feed_whole(send_chunk("part", "a1b2c3d4", "Byte-Range: 5-*/100\r\n"));
        REQUIRE(got.chunks.size() == 1);
        CHECK(got.chunks[0].byte_range()->total == 100);
    }
    SECTION("short and long transaction ids") {
        CHECK(t::feed_whole(send_chunk("x", "abcd")).chunks.size() == 1);
        CHECK(t::feed_whole(send_chunk("x", std::string(32, 'k'))).chunks.size() == 1);
    }
    SECTION("keep-alive SEND without body") {
        const std::string ka = "MSRP ka000001 SEND\r\n" + to_from +
                               "Message-ID: ka1234\r\nKeep-Alive: yes\r\n-------ka000001$\r\n";
        const auto got = t::feed_whole(ka);
        REQUIRE(got.chunks.size() == 1);
        CHECK(got.chunks[0].keep_alive() == "yes");
        CHECK_FALSE(got.chunks[0].has_body);
    }
    SECTION("a response status 000 is still a response") {
        const std::string resp = "MSRP abcd 000\r\n" + to_from + "-------abcd$\r\n";
        const auto got = t::feed_whole(resp);
        REQUIRE(got.chunks.size() == 1);
        CHECK(got.chunks[0].is_response());
    }
}

TEST_CASE("chunk_reader assembles chunks and keeps its memory bounded", "[parser][reader]") {
    msrp::chunk_reader reader({}, 64);
    CHECK_FALSE(reader.feed(send_chunk("small")));
    auto c = reader.next();
    REQUIRE(c);
    CHECK(c->data == "small");
    CHECK_FALSE(reader.next());
    CHECK(reader.feed(send_chunk(std::string(65, 'x'))) == errc::body_too_large);
    CHECK(reader.finish() == errc::body_too_large);
}
