// Writing chunks (scatter-gather serialization, end-line collisions,
// transaction ids), the seed's make_chunk defaults, the Chunk model's
// header helpers, and the msrp error category.

#include <msrp/protocol/byte_range.hpp>
#include <msrp/protocol/chunk.hpp>
#include <msrp/protocol/chunk_reader.hpp>
#include <msrp/protocol/chunk_serializer.hpp>
#include <msrp/protocol/error.hpp>
#include <msrp/protocol/make_chunk.hpp>
#include <msrp/protocol/path.hpp>
#include <msrp/protocol/random_ident.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_set>
#include <vector>

using msrp::Chunk;
using msrp::errc;
using msrp::Header;

namespace {

constexpr std::string_view bob_uri = "msrp://bob.example.com:8888/9di4eae923wzd;tcp";
constexpr std::string_view alice_uri = "msrp://alicepc.example.com:7777/iau39soe2843z;tcp";

bool is_alnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

bool all_alnum(std::string_view s) {
    for (char c : s)
        if (!is_alnum(c))
            return false;
    return true;
}

std::vector<std::string> header_names(const Chunk& c) {
    std::vector<std::string> names;
    for (const auto& h : c.headers)
        names.push_back(h.name);
    return names;
}

// The SEND of RFC 4975 §7.1 (with a Byte-Range that matches its body).
Chunk rfc_send() {
    Chunk c;
    c.transaction_id = "a786hjs2";
    c.method = "SEND";
    c.headers = {
        {"To-Path", std::string(bob_uri)},
        {"From-Path", std::string(alice_uri)},
        {"Message-ID", "87652491"},
        {"Byte-Range", "1-23/23"},
        {"Content-Type", "text/plain"},
    };
    c.data = "Hey Bob, are you there?";
    c.has_body = true;
    return c;
}

constexpr std::string_view rfc_send_head = "MSRP a786hjs2 SEND\r\n"
                                           "To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
                                           "From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
                                           "Message-ID: 87652491\r\n"
                                           "Byte-Range: 1-23/23\r\n"
                                           "Content-Type: text/plain\r\n"
                                           "\r\n";

Chunk ok_response() {
    Chunk c;
    c.transaction_id = "a786hjs2";
    c.code = 200;
    c.comment = "OK";
    c.headers = {
        {"To-Path", std::string(alice_uri)},
        {"From-Path", std::string(bob_uri)},
    };
    return c;
}

Chunk report() {
    Chunk c;
    c.transaction_id = "dkei38sd";
    c.method = "REPORT";
    c.headers = {
        {"To-Path", std::string(alice_uri)},
        {"From-Path", std::string(bob_uri)},
        {"Message-ID", "12339sdqwer"},
        {"Byte-Range", "1-106/106"},
        {"Status", "000 200 OK"},
    };
    return c;
}

Chunk auth() {
    // RFC 4976 §5.1-style AUTH to a relay.
    Chunk c;
    c.transaction_id = "x5tt9k2b";
    c.method = "AUTH";
    c.headers = {
        {"To-Path", "msrps://relay.example.com;tcp"},
        {"From-Path", "msrps://alice.example.com:9892/98cjs;tcp"},
        {"Authorization", "Digest username=\"Alice\", realm=\"example.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
                          "uri=\"msrps://relay.example.com;tcp\", response=\"6629fae49393a05397450978507c4ef1\""},
        {"Expires", "900"},
    };
    return c;
}

msrp::Path path_of(std::string_view text) { return msrp::parse_path(text); }

} // namespace

// ---------------------------------------------------------------------------
// serialize

TEST_CASE("serializer: SEND with body, body not copied", "[serializer]") {
    const Chunk c = rfc_send();
    msrp::serialized_chunk out;
    REQUIRE(msrp::serialize(c, out) == std::error_code{});
    CHECK(out.head == rfc_send_head);
    CHECK(out.head.size() >= 4);
    CHECK(out.head.substr(out.head.size() - 4) == "\r\n\r\n");
    // The body buffer points into chunk.data: no copy.
    CHECK(static_cast<const void*>(out.body.data()) == static_cast<const void*>(c.data.data()));
    CHECK(out.body.size() == c.data.size());
    CHECK(out.tail_view() == "\r\n-------a786hjs2$\r\n");
    CHECK(out.tail_len == out.tail_view().size());

    const auto bufs = out.buffers();
    CHECK(bufs[0] == out.head);
    CHECK(static_cast<const void*>(bufs[1].data()) == static_cast<const void*>(c.data.data()));
    CHECK(bufs[2] == out.tail_view());
    CHECK(out.size() == out.head.size() + c.data.size() + out.tail_len);
    const std::string wire = std::string(rfc_send_head) + "Hey Bob, are you there?" + "\r\n-------a786hjs2$\r\n";
    CHECK(out.to_string() == wire);
    CHECK(out.size() == wire.size());
    CHECK(msrp::to_wire(c) == wire);
}

TEST_CASE("serializer: SEND with an empty body section", "[serializer]") {
    Chunk c = rfc_send();
    c.data.clear();
    c.headers[3].value = "1-0/0";
    msrp::serialized_chunk out;
    REQUIRE(msrp::serialize(c, out) == std::error_code{});
    CHECK(out.head.substr(out.head.size() - 4) == "\r\n\r\n");
    CHECK(out.body.empty());
    CHECK(static_cast<const void*>(out.body.data()) == static_cast<const void*>(c.data.data()));
    CHECK(out.tail_view() == "\r\n-------a786hjs2$\r\n");
    CHECK(out.to_string().find("Content-Type: text/plain\r\n\r\n\r\n-------a786hjs2$\r\n") != std::string::npos);
}

TEST_CASE("serializer: continuation flags", "[serializer]") {
    for (char flag : {'$', '+', '#'}) {
        Chunk c = rfc_send();
        c.contflag = flag;
        msrp::serialized_chunk out;
        REQUIRE_FALSE(msrp::serialize(c, out));
        CHECK(out.tail_view() == std::string("\r\n-------a786hjs2") + flag + "\r\n");
    }
}

TEST_CASE("serializer: body given apart from chunk.data", "[serializer]") {
    Chunk c = rfc_send();
    // chunk.data is ignored by this overload, even when it would collide.
    c.data = "-------a786hjs2$ ignored";
    const std::string file_buffer = "0123456789 file contents";
    msrp::serialized_chunk out;
    REQUIRE(msrp::serialize(c, std::string_view(file_buffer).substr(11), out) == std::error_code{});
    CHECK(static_cast<const void*>(out.body.data()) == static_cast<const void*>(file_buffer.data() + 11));
    CHECK(out.body == "file contents");
    CHECK(out.to_string() == std::string(rfc_send_head) + "file contents\r\n-------a786hjs2$\r\n");

    // ... and the collision check applies to the body given.
    c.data = "harmless";
    CHECK(msrp::serialize(c, std::string_view("x\r\n-------a786hjs2$\r\ny"), out) == errc::end_line_in_body);
}

TEST_CASE("serializer: bodiless request", "[serializer]") {
    Chunk c = report();
    msrp::serialized_chunk out;
    REQUIRE(msrp::serialize(c, out) == std::error_code{});
    CHECK(out.head == "MSRP dkei38sd REPORT\r\n"
                      "To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
                      "From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
                      "Message-ID: 12339sdqwer\r\n"
                      "Byte-Range: 1-106/106\r\n"
                      "Status: 000 200 OK\r\n");
    CHECK(out.head.find("\r\n\r\n") == std::string::npos);
    CHECK(out.body.empty());
    CHECK(out.tail_view().substr(0, 7) == "-------");
    CHECK(out.tail_view() == "-------dkei38sd$\r\n");
}

TEST_CASE("serializer: responses", "[serializer]") {
    Chunk r = ok_response();
    msrp::serialized_chunk out;
    REQUIRE(msrp::serialize(r, out) == std::error_code{});
    CHECK(out.head == "MSRP a786hjs2 200 OK\r\n"
                      "To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
                      "From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n");
    CHECK(out.body.empty());
    CHECK(out.tail_view() == "-------a786hjs2$\r\n");

    r.comment.clear();
    REQUIRE_FALSE(msrp::serialize(r, out));
    CHECK(out.head.substr(0, out.head.find("\r\n")) == "MSRP a786hjs2 200");

    r.code = 413;
    r.comment = "Message Too Large";
    REQUIRE_FALSE(msrp::serialize(r, out));
    CHECK(out.head.substr(0, out.head.find("\r\n")) == "MSRP a786hjs2 413 Message Too Large");

    r.code = 81;
    r.comment.clear();
    REQUIRE_FALSE(msrp::serialize(r, out));
    CHECK(out.head.substr(0, out.head.find("\r\n")) == "MSRP a786hjs2 081");
}

TEST_CASE("serializer: the output's head is rewritten, not appended to", "[serializer]") {
    msrp::serialized_chunk out;
    REQUIRE_FALSE(msrp::serialize(rfc_send(), out));
    const Chunk r = ok_response();
    REQUIRE_FALSE(msrp::serialize(r, out));
    CHECK(out.head.rfind("MSRP a786hjs2 200 OK\r\n", 0) == 0);
    CHECK(out.body.empty());
    CHECK(out.to_string() == "MSRP a786hjs2 200 OK\r\n"
                             "To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
                             "From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
                             "-------a786hjs2$\r\n");
}

TEST_CASE("serializer: chunks that cannot be written are invalid_argument", "[serializer]") {
    struct row {
        const char* what;
        std::function<Chunk()> make;
    };
    auto send_with = [](std::function<void(Chunk&)> f) {
        return [f] {
            Chunk c = rfc_send();
            f(c);
            return c;
        };
    };
    auto response_with = [](std::function<void(Chunk&)> f) {
        return [f] {
            Chunk c = ok_response();
            f(c);
            return c;
        };
    };
    const std::vector<row> table = {
        {"empty tid", send_with([](Chunk& c) { c.transaction_id.clear(); })},
        {"3-char tid", send_with([](Chunk& c) { c.transaction_id = "abc"; })},
        {"tid with SP", send_with([](Chunk& c) { c.transaction_id = "ab cd"; })},
        {"tid starting with '-'", send_with([](Chunk& c) { c.transaction_id = "-abcd"; })},
        {"tid with '$'", send_with([](Chunk& c) { c.transaction_id = "abcd$"; })},
        {"tid with CRLF", send_with([](Chunk& c) { c.transaction_id = "abcd\r\n"; })},
        {"100-char tid", send_with([](Chunk& c) { c.transaction_id = std::string(100, 'a'); })},
        {"lower-case method", send_with([](Chunk& c) { c.method = "send"; })},
        {"mixed-case method", send_with([](Chunk& c) { c.method = "Send"; })},
        {"method with SP", send_with([](Chunk& c) { c.method = "SE ND"; })},
        {"method with digit", send_with([](Chunk& c) { c.method = "S3ND"; })},
        {"method with CRLF", send_with([](Chunk& c) { c.method = "SEND\r\n"; })},
        {"header value with CRLF", send_with([](Chunk& c) { c.headers[2].value = "abcd\r\nX-Evil: 1"; })},
        {"header value with CR", send_with([](Chunk& c) { c.headers[2].value = "abcd\rx"; })},
        {"header value with LF", send_with([](Chunk& c) { c.headers[2].value = "abcd\nx"; })},
        {"header value with NUL", send_with([](Chunk& c) { c.headers[2].value = std::string("abcd\0x", 6); })},
        {"empty header name", send_with([](Chunk& c) { c.headers.insert(c.headers.begin() + 2, Header{"", "x"}); })},
        {"header name with SP", send_with([](Chunk& c) { c.headers.insert(c.headers.begin() + 2, Header{"X Foo", "x"}); })},
        {"header name with ':'", send_with([](Chunk& c) { c.headers.insert(c.headers.begin() + 2, Header{"X:Foo", "x"}); })},
        {"header name starting with digit", send_with([](Chunk& c) { c.headers.insert(c.headers.begin() + 2, Header{"1Foo", "x"}); })},
        {"header name with CRLF", send_with([](Chunk& c) { c.headers.insert(c.headers.begin() + 2, Header{"X\r\nY", "x"}); })},
        {"flag 'x'", send_with([](Chunk& c) { c.contflag = 'x'; })},
        {"flag NUL", send_with([](Chunk& c) { c.contflag = '\0'; })},
        {"flag '*'", send_with([](Chunk& c) { c.contflag = '*'; })},
        {"request with data but no body section", send_with([](Chunk& c) { c.has_body = false; })},
        {"response with body", response_with([](Chunk& c) { c.has_body = true; c.data = "body"; })},
        {"response with empty body section", response_with([](Chunk& c) { c.has_body = true; })},
        {"response with data", response_with([](Chunk& c) { c.data = "body"; })},
        {"response comment with CRLF", response_with([](Chunk& c) { c.comment = "OK\r\nX-Evil: 1"; })},
        {"response code 1000", response_with([](Chunk& c) { c.code = 1000; })},
        {"response code -1", response_with([](Chunk& c) { c.code = -1; })},
        {"response tid too short", response_with([](Chunk& c) { c.transaction_id = "ab"; })},
        {"response bad header", response_with([](Chunk& c) { c.headers.push_back(Header{"X-A", "1\r\n"}); })},
    };
    for (const auto& r : table) {
        INFO(r.what);
        const Chunk c = r.make();
        msrp::serialized_chunk out;
        CHECK(msrp::serialize(c, out) == errc::invalid_argument);
        CHECK_THROWS_AS(msrp::to_wire(c), std::system_error);
    }
    // The base chunks themselves are fine (so each row fails for its own reason).
    msrp::serialized_chunk out;
    CHECK_FALSE(msrp::serialize(rfc_send(), out));
    CHECK_FALSE(msrp::serialize(ok_response(), out));
}

TEST_CASE("serializer: a body holding the end-line is refused", "[serializer]") {
    // RFC 4975 §7.1: the end-line ("-------" tid flag) must not occur in the body.
    const char* const bodies[] = {
        "foo\r\n-------a786hjs2$\r\nbar",
        "-------a786hjs2$",
        "x-------a786hjs2+",
        "--------a786hjs2#\r\n",
        "\r\n-------a786hjs2$",
        "abc\r\n-------a786hjs2+\r\n",
    };
    for (const char* body : bodies) {
        INFO(body);
        Chunk c = rfc_send();
        c.data = body;
        msrp::serialized_chunk out;
        CHECK(msrp::serialize(c, out) == errc::end_line_in_body);
        try {
            (void)msrp::to_wire(c);
            FAIL("to_wire did not throw");
        } catch (const std::system_error& e) {
            CHECK(e.code() == errc::end_line_in_body);
        }
    }
    // Another transaction's end-line is only body, and so is this
    // transaction's id without a flag after it.
    for (const char* body : {"foo\r\n-------zzzz9999$\r\nbar", "-------a786hjs2", "x\r\n-------a786hjs2\r\ny",
                             "-------a786hjs2x$", "------a786hjs2$"}) {
        INFO(body);
        Chunk c = rfc_send();
        c.data = body;
        msrp::serialized_chunk out;
        CHECK(msrp::serialize(c, out) == std::error_code{});
    }
}

TEST_CASE("serializer: end_line_collides", "[serializer]") {
    struct row {
        const char* body;
        const char* tid;
        bool collides;
    };
    const row table[] = {
        {"", "abcd1234", false},
        {"Hello, world. No hyphens here.", "abcd1234", false},
        {"abcd1234", "abcd1234", false},
        {"------abcd1234", "abcd1234", false},          // six hyphens
        {"-------other$\r\n", "abcd1234", false},
        {"-------abcd123", "abcd1234", false},          // body ends inside the id
        {"-------ABCD1234", "abcd1234", false},         // ids are case-sensitive
        {"------- abcd1234", "abcd1234", false},
        {"-------abcd1234", "abcd1234", false},         // no flag after the id
        {"-------abcd1234\r\n", "abcd1234", false},
        {"-------abcd12345", "abcd1234", false},        // '5' is no flag
        {"-------abcd1234$", "abcd123", false},         // '4' is no flag
        {"-------abcd1234*", "abcd1234", false},
        {"-------abcd1234$", "abcd1234", true},
        {"-------abcd1234+", "abcd1234", true},
        {"-------abcd1234#", "abcd1234", true},
        {"\r\n-------abcd1234$\r\n", "abcd1234", true},
        {"x-------abcd1234$y", "abcd1234", true},       // line start or not
        {"--------abcd1234$", "abcd1234", true},        // eight hyphens
        {"-------x -------abcd1234+", "abcd1234", true}, // second run
        {"-------abcd1234 -------abcd1234#", "abcd1234", true},
        {"-------abcd+$", "abcd+", true},               // '+' is an ident-char too
        {"-------abcd+x", "abcd", true},
    };
    for (const auto& r : table) {
        INFO("body '" << r.body << "' tid '" << r.tid << "'");
        CHECK(msrp::end_line_collides(r.body, r.tid) == r.collides);
    }
}

TEST_CASE("serializer: choose_transaction_id never collides", "[serializer][random]") {
    std::mt19937 rng(20240607);
    auto junk = [&](std::size_t n) {
        static constexpr std::string_view chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-+%=$#\r\n ";
        std::string s;
        for (std::size_t i = 0; i < n; ++i)
            s += chars[rng() % chars.size()];
        return s;
    };
    std::vector<std::string> chosen;
    std::unordered_set<std::string> distinct;
    for (int round = 0; round < 1000; ++round) {
        std::string body;
        for (int k = 0; k < 40; ++k) {
            body += std::string(7 + rng() % 3, '-');
            body += junk(1 + rng() % 24);
        }
        // The ids chosen before, as end-lines: an id generator that repeats
        // itself (or is predictable) would collide here.
        const std::size_t from = chosen.size() > 64 ? chosen.size() - 64 : 0;
        for (std::size_t k = from; k < chosen.size(); ++k)
            body += "\r\n-------" + chosen[k] + "$\r\n";

        const auto id = msrp::choose_transaction_id(body);
        INFO("round " << round << " id " << id);
        REQUIRE(id.size() == msrp::random_ident_length);
        REQUIRE(all_alnum(id));
        for (const char* flag : {"$", "+", "#"})
            REQUIRE(body.find("-------" + id + flag) == std::string::npos);
        REQUIRE_FALSE(msrp::end_line_collides(body, id));
        distinct.insert(id);
        chosen.push_back(id);
    }
    CHECK(distinct.size() == 1000);
}

// ---------------------------------------------------------------------------
// random_ident

TEST_CASE("random_ident: length is clamped to 4..32", "[random]") {
    CHECK(msrp::random_ident_length == 15);
    CHECK(msrp::random_ident().size() == 15);
    const std::pair<std::size_t, std::size_t> table[] = {
        {0, 4}, {1, 4}, {3, 4}, {4, 4}, {5, 5}, {16, 16}, {31, 31}, {32, 32}, {33, 32}, {1000, 32},
    };
    for (const auto& [asked, got] : table) {
        INFO("length " << asked);
        const auto id = msrp::random_ident(asked);
        CHECK(id.size() == got);
        CHECK(all_alnum(id));
    }
}

TEST_CASE("random_ident: 100000 ids are distinct alphanumerics", "[random]") {
    std::unordered_set<std::string> seen;
    seen.reserve(100000);
    bool alnum = true;
    for (int i = 0; i < 100000; ++i) {
        auto id = msrp::random_ident();
        alnum = alnum && id.size() == msrp::random_ident_length && all_alnum(id);
        seen.insert(std::move(id));
    }
    CHECK(alnum);
    CHECK(seen.size() == 100000);
}

TEST_CASE("random_ident: characters are roughly uniform", "[random]") {
    std::map<char, long> counts;
    long total = 0;
    for (int i = 0; i < 200000 / 16; ++i)
        for (char c : msrp::random_ident(16)) {
            ++counts[c];
            ++total;
        }
    REQUIRE(total == 200000);
    CHECK(counts.size() == 62);
    const double mean = static_cast<double>(total) / 62;
    for (const auto& [c, n] : counts) {
        INFO("char '" << c << "' seen " << n << " times, mean " << mean);
        CHECK(is_alnum(c));
        CHECK(n > mean * 0.75);
        CHECK(n < mean * 1.25);
    }
}

// ---------------------------------------------------------------------------
// to_wire -> parse_chunk

TEST_CASE("serializer: to_wire then parse_chunk gives the chunk back", "[serializer][roundtrip]") {
    struct row {
        const char* what;
        Chunk chunk;
    };
    std::vector<row> table;
    table.push_back({"SEND with body", rfc_send()});
    {
        Chunk c = rfc_send();
        c.contflag = '+';
        c.headers[3].value = "1-23/100";
        table.push_back({"SEND with body, '+'", c});
        c.contflag = '#';
        table.push_back({"SEND with body, '#'", c});
    }
    {
        Chunk c = rfc_send();
        c.data = "line one\r\nline two\r\n-------other1234$\r\n--------\r\n";
        c.headers[3].value = "1-" + std::to_string(c.data.size()) + "/" + std::to_string(c.data.size());
        table.push_back({"SEND whose body has CRLFs and a foreign end-line", c});
    }
    {
        Chunk c;
        c.transaction_id = "d93kswow";
        c.method = "SEND";
        c.headers = {
            {"To-Path", std::string(bob_uri)},
            {"From-Path", std::string(alice_uri)},
            {"Message-ID", "12339sdqwer"},
            {"Byte-Range", "1-0/0"},
        };
        table.push_back({"empty SEND without body section", c});
        c.headers.push_back({"Content-Type", "text/plain"});
        c.has_body = true;
        table.push_back({"SEND with an empty body section", c});
    }
    // Bodies that come close to this transaction's end-line.
    for (const char* body : {"x\r\n-------a786hjs2\r\ny", "x\r\n-------a786hjs2X\r\ny", "x\r\n-------a786hjs2",
                             "x\r\n-------a786hjs", "x\r\n-------", "x\r\n", "x\r", "-------a786hjs2",
                             "\r\n-------a786hjs2\r\n"}) {
        Chunk c = rfc_send();
        c.data = body;
        c.headers[3].value = "1-" + std::to_string(c.data.size()) + "/" + std::to_string(c.data.size());
        table.push_back({body, c});
    }
    table.push_back({"REPORT with Status", report()});
    table.push_back({"200 response", ok_response()});
    {
        Chunk r = ok_response();
        r.comment.clear();
        table.push_back({"200 response without comment", r});
    }
    table.push_back({"AUTH with Authorization and Expires", auth()});

    for (const auto& r : table) {
        INFO(r.what);
        const auto wire = msrp::to_wire(r.chunk);
        INFO("wire: " << wire);
        Chunk back;
        back.data = "stale";
        REQUIRE(msrp::parse_chunk(wire, back) == std::error_code{});
        CHECK(back == r.chunk);
        CHECK(back.has_body == r.chunk.has_body);
        CHECK(back.data == r.chunk.data);
        CHECK(back.headers == r.chunk.headers);
        CHECK(back.contflag == r.chunk.contflag);
    }
}

TEST_CASE("serializer: typed fields survive the round trip", "[serializer][roundtrip]") {
    Chunk back;
    REQUIRE_FALSE(msrp::parse_chunk(msrp::to_wire(auth()), back));
    CHECK(back.method == "AUTH");
    REQUIRE(back.expires());
    CHECK(*back.expires() == 900);
    REQUIRE(back.authorization());
    CHECK(back.authorization()->rfind("Digest username=\"Alice\"", 0) == 0);
    REQUIRE(back.to_path());
    CHECK(back.to_path()->at(0).use_tls);
    CHECK(back.to_path()->at(0).port == 0);

    REQUIRE_FALSE(msrp::parse_chunk(msrp::to_wire(report()), back));
    REQUIRE(back.status());
    CHECK(*back.status() == msrp::StatusHeader{0, 200, "OK"});
    REQUIRE(back.byte_range());
    CHECK(*back.byte_range() == msrp::ByteRange{1, 106, 106});
}

// ---------------------------------------------------------------------------
// make_chunk

TEST_CASE("make_chunk: SEND defaults", "[make_chunk]") {
    const auto to = path_of("msrp://relay.example.com:2855/r1;tcp msrp://bob.example.com:8888/9di4eae923wzd;tcp");
    const auto from = path_of("msrp://alicepc.example.com:7777/iau39soe2843z;tcp");
    msrp::make_chunk_params p;
    p.data = "Hey Bob, are you there?";
    const Chunk c = msrp::make_chunk(to, from, p);

    CHECK(c.method == "SEND");
    CHECK(c.is_request());
    CHECK(c.code == 0);
    CHECK(c.transaction_id.size() == msrp::random_ident_length);
    CHECK(all_alnum(c.transaction_id));
    CHECK(header_names(c) == std::vector<std::string>{"To-Path", "From-Path", "Message-ID", "Byte-Range", "Content-Type"});
    CHECK(c.header("To-Path") == msrp::format_path(to));
    CHECK(c.header("From-Path") == msrp::format_path(from));
    REQUIRE(c.to_path());
    CHECK(msrp::paths_equivalent(*c.to_path(), to));
    REQUIRE(c.from_path());
    CHECK(msrp::paths_equivalent(*c.from_path(), from));
    REQUIRE(c.message_id());
    CHECK(c.message_id()->size() == msrp::random_ident_length);
    CHECK(all_alnum(*c.message_id()));
    CHECK(c.header("Byte-Range") == "1-23/23");
    CHECK(c.contflag == '$');
    CHECK(c.headers.back().name == "Content-Type");
    CHECK(c.headers.back().value == "text/plain");
    CHECK(c.has_body);
    CHECK(c.data == p.data);

    // Random ids differ from call to call.
    const Chunk d = msrp::make_chunk(to, from, p);
    CHECK(d.transaction_id != c.transaction_id);
    CHECK(d.message_id() != c.message_id());

    // It goes on the wire and comes back.
    Chunk back;
    REQUIRE(msrp::parse_chunk(msrp::to_wire(c), back) == std::error_code{});
    CHECK(back == c);
}

TEST_CASE("make_chunk: Byte-Range and continuation flag", "[make_chunk]") {
    const auto to = path_of(bob_uri);
    const auto from = path_of(alice_uri);
    SECTION("start/end/length given: a middle chunk") {
        msrp::make_chunk_params p;
        p.data = "abcde";
        p.start = 5;
        p.end = 9;
        p.length = 20;
        const Chunk c = msrp::make_chunk(to, from, p);
        CHECK(c.header("Byte-Range") == "5-9/20");
        CHECK(c.contflag == '+');
    }
    SECTION("start given, end and length default") {
        msrp::make_chunk_params p;
        p.data = "abcde";
        p.start = 5;
        const Chunk c = msrp::make_chunk(to, from, p);
        CHECK(c.header("Byte-Range") == "5-9/9");
        CHECK(c.contflag == '$');
    }
    SECTION("unknown length") {
        msrp::make_chunk_params p;
        p.data = "abcdefgh";
        p.length = msrp::ByteRange::unknown;
        const Chunk c = msrp::make_chunk(to, from, p);
        CHECK(c.header("Byte-Range") == "1-8/*");
        CHECK(c.contflag == '+');
    }
    SECTION("explicit flag wins") {
        msrp::make_chunk_params p;
        p.data = "abcde";
        p.start = 5;
        p.end = 9;
        p.length = 20;
        p.contflag = '$';
        CHECK(msrp::make_chunk(to, from, p).contflag == '$');
        p.contflag = '#';
        CHECK(msrp::make_chunk(to, from, p).contflag == '#');
        msrp::make_chunk_params q;
        q.data = "whole";
        q.contflag = '+';
        CHECK(msrp::make_chunk(to, from, q).contflag == '+');
    }
    SECTION("no data: empty Byte-Range, no body") {
        const Chunk c = msrp::make_chunk(to, from);
        CHECK(c.method == "SEND");
        CHECK(c.header("Byte-Range") == "1-0/0");
        CHECK_FALSE(c.content_type());
        CHECK_FALSE(c.has_body);
        CHECK(c.contflag == '$');
        Chunk back;
        REQUIRE(msrp::parse_chunk(msrp::to_wire(c), back) == std::error_code{});
        CHECK(back == c);
    }
}

TEST_CASE("make_chunk: explicit ids and content type", "[make_chunk]") {
    msrp::make_chunk_params p;
    p.transaction_id = "tid12345";
    p.message_id = "msg-0001";
    p.content_type = "message/cpim";
    p.data = "CPIM body";
    const Chunk c = msrp::make_chunk(path_of(bob_uri), path_of(alice_uri), p);
    CHECK(c.transaction_id == "tid12345");
    CHECK(c.message_id() == "msg-0001");
    CHECK(c.content_type() == "message/cpim");
    CHECK(c.headers.back().name == "Content-Type");
    CHECK(c.has_body);
}

TEST_CASE("make_chunk: responses", "[make_chunk]") {
    const auto to = path_of(alice_uri);
    const auto from = path_of(bob_uri);
    msrp::make_chunk_params p;
    p.transaction_id = "a786hjs2";
    p.code = 200;
    p.comment = "OK";
    const Chunk c = msrp::make_chunk(to, from, p);
    CHECK(c.is_response());
    CHECK(c.method.empty());
    CHECK(c.code == 200);
    CHECK(c.comment == "OK");
    CHECK(c.transaction_id == "a786hjs2");
    CHECK_FALSE(c.message_id());
    CHECK_FALSE(c.byte_range());
    CHECK_FALSE(c.content_type());
    CHECK_FALSE(c.has_body);
    CHECK(header_names(c) == std::vector<std::string>{"To-Path", "From-Path"});
    CHECK(c.contflag == '$');
    CHECK(msrp::to_wire(c) == "MSRP a786hjs2 200 OK\r\n"
                              "To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
                              "From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
                              "-------a786hjs2$\r\n");
}

TEST_CASE("make_chunk: REPORT", "[make_chunk]") {
    const auto to = path_of(alice_uri);
    const auto from = path_of(bob_uri);
    msrp::make_chunk_params p;
    p.method = "REPORT";
    const Chunk c = msrp::make_chunk(to, from, p);
    CHECK(c.method == "REPORT");
    CHECK(c.message_id());
    CHECK_FALSE(c.byte_range());
    CHECK_FALSE(c.find_header("Byte-Range"));
    CHECK_FALSE(c.content_type());
    CHECK_FALSE(c.has_body);
    CHECK(c.contflag == '$');

    p.end = 106;
    p.length = 106;
    const Chunk d = msrp::make_chunk(to, from, p);
    CHECK(d.header("Byte-Range") == "1-106/106");
}

// ---------------------------------------------------------------------------
// Chunk model

TEST_CASE("chunk: set_header replaces the first field and drops duplicates", "[chunk]") {
    Chunk c;
    c.headers = {{"X-A", "1"}, {"X-B", "2"}, {"x-a", "3"}, {"X-C", "4"}, {"X-A", "5"}};
    c.set_header("X-a", "new");
    REQUIRE(c.headers.size() == 3);
    CHECK(c.headers[0] == Header{"X-A", "new"});
    CHECK(c.headers[1] == Header{"X-B", "2"});
    CHECK(c.headers[2] == Header{"X-C", "4"});
    CHECK(c.header("x-A") == "new");

    // An absent field is added (before Content-Type).
    c.set_content_type("text/plain");
    c.set_header("X-D", "6");
    CHECK(header_names(c) == std::vector<std::string>{"X-A", "X-B", "X-C", "X-D", "Content-Type"});
}

TEST_CASE("chunk: add_header keeps Content-Type last", "[chunk]") {
    Chunk c;
    c.add_header("To-Path", std::string(bob_uri));
    c.add_header("Content-Type", "text/plain");
    c.add_header("From-Path", std::string(alice_uri));
    c.add_header("Message-ID", "m1234");
    CHECK(header_names(c) == std::vector<std::string>{"To-Path", "From-Path", "Message-ID", "Content-Type"});
    // add_header appends even when the name exists.
    c.add_header("X-Dup", "1");
    c.add_header("X-Dup", "2");
    CHECK(header_names(c) == std::vector<std::string>{"To-Path", "From-Path", "Message-ID", "X-Dup", "X-Dup", "Content-Type"});
    CHECK(c.header("X-Dup") == "1");

    // set_content_type moves Content-Type last, replaces it and marks a body.
    Chunk d;
    d.headers = {{"Content-Type", "text/html"}, {"To-Path", "x"}};
    CHECK_FALSE(d.has_body);
    d.set_content_type("text/plain");
    CHECK(d.has_body);
    CHECK(header_names(d) == std::vector<std::string>{"To-Path", "Content-Type"});
    CHECK(d.content_type() == "text/plain");
}

TEST_CASE("chunk: find_header, header and remove_header", "[chunk]") {
    Chunk c = rfc_send();
    REQUIRE(c.find_header("message-id"));
    CHECK(*c.find_header("MESSAGE-ID") == "87652491");
    CHECK(c.find_header("Message-I") == nullptr);
    CHECK_FALSE(c.header("Status"));
    CHECK(c.remove_header("byte-range"));
    CHECK_FALSE(c.remove_header("Byte-Range"));
    CHECK_FALSE(c.find_header("Byte-Range"));
    CHECK(c.headers.size() == 4);
}

TEST_CASE("chunk: typed getters", "[chunk]") {
    Chunk c;
    CHECK_FALSE(c.to_path());
    CHECK_FALSE(c.from_path());
    CHECK_FALSE(c.use_path());
    CHECK_FALSE(c.byte_range());
    CHECK_FALSE(c.status());
    CHECK_FALSE(c.expires());
    CHECK_FALSE(c.min_expires());
    CHECK_FALSE(c.max_expires());
    CHECK_FALSE(c.message_id());

    c.headers = {
        {"To-Path", "msrp://relay.example.com:2855/r1;tcp msrp://bob.example.com:8888/9di4eae923wzd;tcp"},
        {"From-Path", std::string(alice_uri)},
        {"Use-Path", "msrps://relay.example.com;tcp"},
        {"Byte-Range", "2049-*/8192"},
        {"Status", "000 413 Message Too Large"},
        {"Expires", "4294967295"},
        {"Min-Expires", "0"},
        {"Max-Expires", "3600"},
    };
    REQUIRE(c.to_path());
    CHECK(c.to_path()->size() == 2);
    CHECK(c.to_path()->at(1).session_id == "9di4eae923wzd");
    REQUIRE(c.from_path());
    CHECK(c.from_path()->at(0).port == 7777);
    REQUIRE(c.use_path());
    CHECK(c.use_path()->at(0).host == "relay.example.com");
    REQUIRE(c.byte_range());
    CHECK(*c.byte_range() == msrp::ByteRange{2049, msrp::ByteRange::unknown, 8192});
    REQUIRE(c.status());
    CHECK(*c.status() == msrp::StatusHeader{0, 413, "Message Too Large"});
    CHECK(c.expires() == std::optional<std::uint32_t>{4294967295u});
    CHECK(c.min_expires() == std::optional<std::uint32_t>{0});
    CHECK(c.max_expires() == std::optional<std::uint32_t>{3600});

    // Malformed values read as absent.
    c.headers = {
        {"To-Path", "not a uri"},
        {"From-Path", "msrp://192.0.2.1/s;tcp"},
        {"Use-Path", "msrps://relay.example.com;tcp  msrps://r2.example.com;tcp"},
        {"Byte-Range", "10-5/20"},
        {"Status", "200 OK"},
        {"Expires", "4294967296"},
        {"Min-Expires", "-1"},
        {"Max-Expires", "ten"},
    };
    CHECK_FALSE(c.to_path());
    CHECK_FALSE(c.from_path());
    CHECK_FALSE(c.use_path());
    CHECK_FALSE(c.byte_range());
    CHECK_FALSE(c.status());
    CHECK_FALSE(c.expires());
    CHECK_FALSE(c.min_expires());
    CHECK_FALSE(c.max_expires());

    for (const char* bad : {"", "000 20", "000-200", "0000 200", "000 200OK", "abc 200", "000 2x0"}) {
        INFO("Status: '" << bad << "'");
        c.set_header("Status", bad);
        CHECK_FALSE(c.status());
    }
    for (const char* bad : {"", " 900", "900 ", "+900", "9e2", "99999999999999999999999"}) {
        INFO("Expires: '" << bad << "'");
        c.set_header("Expires", bad);
        CHECK_FALSE(c.expires());
    }
}

TEST_CASE("chunk: typed setters", "[chunk]") {
    Chunk c;
    c.set_status(msrp::StatusHeader{0, 200, "OK"});
    CHECK(c.header("Status") == "000 200 OK");
    c.set_status(msrp::StatusHeader{0, 413, ""});
    CHECK(c.header("Status") == "000 413");
    CHECK(c.headers.size() == 1);
    c.set_status(msrp::StatusHeader{0, 81, "x"});
    CHECK(c.header("Status") == "000 081 x");
    c.set_status(msrp::StatusHeader{0, 481, "Session Does Not Exist"});
    REQUIRE(c.status());
    CHECK(*c.status() == msrp::StatusHeader{0, 481, "Session Does Not Exist"});

    c.set_byte_range(msrp::ByteRange{1, msrp::ByteRange::unknown, msrp::ByteRange::unknown});
    CHECK(c.header("Byte-Range") == "1-*/*");
    c.set_message_id("m123");
    CHECK(c.message_id() == "m123");
    const auto to = path_of("msrp://a.example.com:1/x;tcp msrp://[::1]:2/y;tcp");
    c.set_to_path(to);
    CHECK(c.header("To-Path") == "msrp://a.example.com:1/x;tcp msrp://[::1]:2/y;tcp");
    c.set_from_path(path_of(alice_uri));
    c.set_use_path(path_of("msrps://relay.example.com;tcp"));
    CHECK(c.header("Use-Path") == "msrps://relay.example.com;tcp");
    CHECK(header_names(c) == std::vector<std::string>{"Status", "Byte-Range", "Message-ID", "To-Path", "From-Path", "Use-Path"});
}

TEST_CASE("chunk: request or response, defaults, equality", "[chunk]") {
    Chunk c;
    CHECK(c.is_response());
    CHECK_FALSE(c.is_request());
    CHECK(c.contflag == '$');
    CHECK_FALSE(c.has_body);
    c.method = "SEND";
    CHECK(c.is_request());
    CHECK_FALSE(c.is_response());

    CHECK(rfc_send() == rfc_send());
    Chunk d = rfc_send();
    d.contflag = '+';
    CHECK_FALSE(d == rfc_send());
    d = rfc_send();
    d.headers[0].name = "to-path";
    CHECK_FALSE(d == rfc_send());
    d = rfc_send();
    d.has_body = false;
    CHECK_FALSE(d == rfc_send());
}

// ---------------------------------------------------------------------------
// error category

TEST_CASE("error: the msrp category", "[error]") {
    CHECK(std::string(msrp::make_error_code(errc::bad_uri).category().name()) == "msrp");
    CHECK(&msrp::make_error_code(errc::bad_uri).category() == &msrp::error_category());
    const std::error_code ec = errc::bad_byte_range; // is_error_code_enum
    CHECK(ec == errc::bad_byte_range);
    CHECK(ec != errc::bad_uri);
    CHECK(ec.value() == static_cast<int>(errc::bad_byte_range));
    CHECK(static_cast<bool>(ec));

    std::set<std::string> messages;
    const int last = static_cast<int>(errc::bad_iscomposing);
    for (int v = 1; v <= last; ++v) {
        const auto e = msrp::make_error_code(static_cast<errc>(v));
        const auto m = e.message();
        INFO("errc " << v << ": " << m);
        CHECK_FALSE(m.empty());
        CHECK(m.find("unknown") == std::string::npos);
        messages.insert(m);
    }
    CHECK(messages.size() == static_cast<std::size_t>(last));
}

TEST_CASE("error: status_code_for", "[error]") {
    using msrp::status_code_for;
    CHECK(status_code_for(errc::bad_byte_range) == 400);
    CHECK(status_code_for(errc::bad_uri) == 400);
    CHECK(status_code_for(errc::missing_to_path) == 400);
    CHECK(status_code_for(errc::body_too_large) == 413);
    CHECK(status_code_for(errc::truncated) == 0);
    CHECK(status_code_for(errc::bad_start_line) == 0);
    CHECK(status_code_for(errc::bad_transaction_id) == 0);
    CHECK(status_code_for(errc::message_too_large) == 413);
    CHECK(status_code_for(errc::message_stopped) == 413);
    CHECK(status_code_for(errc::inconsistent_byte_range) == 400);
    CHECK(status_code_for(errc::message_aborted) == 0);
    CHECK(status_code_for(errc::session_closed) == 0);
    // Not an msrp error: no status, whatever its value.
    CHECK(status_code_for(std::make_error_code(std::errc::invalid_argument)) == 0);
    CHECK(status_code_for(std::error_code(static_cast<int>(errc::bad_byte_range), std::generic_category())) == 0);
    CHECK(status_code_for(std::error_code(static_cast<int>(errc::body_too_large), std::system_category())) == 0);
    CHECK(status_code_for(std::error_code{}) == 0);

    CHECK(std::string(msrp::status_comment(200)) == "OK");
    CHECK(std::string(msrp::status_comment(413)) == "Message Too Large");
    CHECK(std::string(msrp::status_comment(481)) == "Session Does Not Exist");
}
