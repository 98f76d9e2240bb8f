// message/cpim (RFC 3862): the RFC's examples, escapes, DateTime, errors, limits.

#include "../support/vectors.hpp"

#include <msrp/protocol/cpim.hpp>
#include <msrp/protocol/error.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

using msrp::CPIMMessage;
using msrp::errc;
namespace t = msrp::test;

namespace {

std::string vector(const std::string& relative) { return t::read_file(t::vectors_dir() + "/" + relative); }

std::string to_lf(std::string s) {
    std::string out;
    for (char c : s)
        if (c != '\r')
            out += c;
    return out;
}

CPIMMessage parse_ok(std::string_view text, const msrp::cpim_limits& limits = {}) {
    CPIMMessage m;
    const auto ec = msrp::parse_cpim(text, m, limits);
    INFO(ec.message());
    REQUIRE_FALSE(ec);
    return m;
}

void check_round_trip(const CPIMMessage& m) {
    const std::string text = msrp::format_cpim(m);
    CHECK(text.find("\n") == text.find("\r\n") + 1);
    const CPIMMessage again = parse_ok(text);
    CHECK(again == m);
    CHECK(msrp::format_cpim(again) == text);
}

// RFC 3862 §5.1 and the CPIM part of §5.2 carry the same headers but To.
void check_rfc_example(const CPIMMessage& m, const std::string& to_name) {
    REQUIRE(m.from);
    CHECK(m.from->display_name == "MR SANDERS");
    CHECK(m.from->uri == "im:piglet@100akerwood.com");
    REQUIRE(m.to.size() == 1);
    CHECK(m.to[0].display_name == to_name);
    CHECK(m.to[0].uri == "im:eeyore@100akerwood.com");
    CHECK(m.cc.empty());
    REQUIRE(m.datetime);
    CHECK(m.datetime->text == "2000-12-13T13:40:00-08:00");
    CHECK(m.datetime->year == 2000);
    CHECK(m.datetime->month == 12);
    CHECK(m.datetime->day == 13);
    CHECK(m.datetime->hour == 13);
    CHECK(m.datetime->offset_minutes == -480);
    CHECK(m.datetime->epoch_ms == 976743600000LL); // 2000-12-13T21:40:00Z
    REQUIRE(m.subjects.size() == 2);
    CHECK(m.subjects[0] == msrp::CPIMSubject{"", "the weather will be fine today"});
    CHECK(m.subjects[1] == msrp::CPIMSubject{"fr", "beau temps prevu pour aujourd'hui"});
    REQUIRE(m.namespaces.size() == 1);
    CHECK(m.namespaces[0] == msrp::CPIMNamespace{"MyFeatures", "mid:MessageFeatures@id.foo.com"});
    CHECK(m.namespace_uri("MyFeatures") == "mid:MessageFeatures@id.foo.com");
    CHECK(m.namespace_uri("Other").empty());
    CHECK(m.require == std::vector<std::string>{"MyFeatures.VitalMessageOption"});
    REQUIRE(m.headers.size() == 2);
    CHECK(m.headers[0].name == "MyFeatures.VitalMessageOption");
    CHECK(m.headers[0].prefix() == "MyFeatures");
    CHECK(m.headers[0].local_name() == "VitalMessageOption");
    CHECK(m.headers[0].value == "Confirmation-requested");
    CHECK(m.headers[1].name == "MyFeatures.WackyMessageOption");
    CHECK(m.headers[1].value == "Use-silly-font");
    REQUIRE(m.content_headers.size() == 2);
    CHECK(m.content_headers[0] == msrp::CPIMContentHeader{"Content-type", "text/xml; charset=utf-8"});
    CHECK(m.content_headers[1] == msrp::CPIMContentHeader{"Content-ID", "<1234567890@foo.com>"});
    CHECK(m.content_type() == "text/xml; charset=utf-8");
}

} // namespace

TEST_CASE("cpim: RFC 3862 §5.1 example", "[cpim]") {
    const std::string text = vector("rfc3862-s5.1-message.cpim");
    const CPIMMessage m = parse_ok(text);
    check_rfc_example(m, "Depressed Donkey");
    CHECK(m.body == "<body>\r\nHere is the text of my message.\r\n</body>\r\n");
    CHECK(m.body.size() == 50);
    check_round_trip(m);

    // The RFC writes every header as format_cpim does but for `Content-type`
    // and the To name, which needs no quotes: the text comes back unchanged.
    CHECK(msrp::format_cpim(m) == text);
}

TEST_CASE("cpim: RFC 3862 §5.2 multipart/signed, CPIM part", "[cpim]") {
    const std::string text = vector("rfc3862-s5.2-multipart-signed.cpim");
    // The vector is the multipart entity; its first part (after its own
    // Content-Type header) is the message/cpim entity. RFC 2046 §5.1.1: the
    // CRLF before a delimiter belongs to the delimiter.
    const std::string delimiter = "\r\n--next\r\n";
    const auto first = text.find(delimiter);
    REQUIRE(first != std::string::npos);
    const auto part_start = first + delimiter.size();
    const auto part_end = text.find("\r\n--next", part_start);
    REQUIRE(part_end != std::string::npos);
    const std::string part = text.substr(part_start, part_end - part_start);
    const std::string part_head = "Content-Type: Message/CPIM\r\n\r\n";
    REQUIRE(part.rfind(part_head, 0) == 0);

    const CPIMMessage m = parse_ok(std::string_view(part).substr(part_head.size()));
    check_rfc_example(m, "Dopey Donkey");
    CHECK(m.body == "<body>\r\nHere is the text of my message.\r\n</body>");
    CHECK(m.body.size() == 48);
    check_round_trip(m);
}

TEST_CASE("cpim: RFC 3862 header examples", "[cpim]") {
    const auto examples = nlohmann::json::parse(vector("rfc3862-header-examples.json"));
    REQUIRE(examples.size() == 28);
    for (const auto& ex : examples) {
        const std::string line = ex.at("line");
        const std::string name = ex.at("name");
        const std::string value = ex.at("value");
        std::vector<std::string> params;
        for (const auto& p : ex.at("params"))
            params.push_back(p.get<std::string>());
        INFO(line);
        const CPIMMessage m = parse_ok(line + "\r\n\r\nContent-Type: text/plain\r\n\r\nx");
        CHECK(m.body == "x");
        check_round_trip(m);

        if (name == "From" || name == "To" || name == "cc") {
            const msrp::CPIMAddress* a = nullptr;
            if (name == "From" && m.from)
                a = &*m.from;
            else if (name == "To" && m.to.size() == 1)
                a = &m.to[0];
            else if (name == "cc" && m.cc.size() == 1)
                a = &m.cc[0];
            REQUIRE(a);
            const auto lt = value.find('<');
            const auto display = value.substr(0, lt == 0 ? 0 : lt - 1);
            CHECK(a->display_name == display);
            CHECK(a->uri == value.substr(lt + 1, value.size() - lt - 2));
        } else if (name == "DateTime") {
            REQUIRE(m.datetime);
            CHECK(m.datetime->text == value);
            CHECK(m.datetime->offset_minutes == -300);
        } else if (name == "Subject") {
            REQUIRE(m.subjects.size() == 1);
            CHECK(m.subjects[0].text == value);
            REQUIRE(params.size() == 1);
            CHECK("lang=" + m.subjects[0].lang == params[0]);
        } else if (name == "NS") {
            REQUIRE(m.namespaces.size() == 1);
            const auto lt = value.find('<');
            CHECK(m.namespaces[0].prefix == value.substr(0, lt == 0 ? 0 : lt - 1));
            CHECK(m.namespaces[0].uri == value.substr(lt + 1, value.size() - lt - 2));
        } else if (name == "Require") {
            CHECK(m.require == std::vector<std::string>{value});
        } else {
            REQUIRE(m.headers.size() == 1);
            CHECK(m.headers[0].name == name);
            CHECK(m.headers[0].params == params);
            CHECK(m.headers[0].value == value);
        }
    }
}

TEST_CASE("cpim: LF-only line ends", "[cpim]") {
    const std::string crlf = vector("rfc3862-s5.1-message.cpim");
    const CPIMMessage m = parse_ok(to_lf(crlf));
    check_rfc_example(m, "Depressed Donkey");
    // The body is not touched: its LFs stay LFs.
    CHECK(m.body == "<body>\nHere is the text of my message.\n</body>\n");
    // Always written with CRLF.
    const std::string out = msrp::format_cpim(m);
    CHECK(out.substr(0, out.size() - m.body.size()) == crlf.substr(0, crlf.size() - 50));
    check_round_trip(m);

    // Mixed line ends.
    const CPIMMessage mixed = parse_ok("From: <im:a@b>\nTo: <im:c@d>\r\n\nContent-Type: text/plain\r\n\r\nhi");
    CHECK(mixed.from->uri == "im:a@b");
    CHECK(mixed.to[0].uri == "im:c@d");
    CHECK(mixed.content_type() == "text/plain");
    CHECK(mixed.body == "hi");
}

TEST_CASE("cpim: quoted display names and escapes", "[cpim]") {
    struct row {
        const char* value;
        const char* display_name;
    };
    const row table[] = {
        {R"("Alice" <im:alice@example.com>)", "Alice"},
        {R"("Alice \"Al\" Smith" <im:alice@example.com>)", "Alice \"Al\" Smith"},
        {R"("back\\slash" <im:alice@example.com>)", "back\\slash"},
        {R"("tab\there\r\n\b" <im:alice@example.com>)", "tab\there\r\n\b"},
        {R"("it\'s" <im:alice@example.com>)", "it's"},
        {R"("caf\u00e9 \u20AC" <im:alice@example.com>)", "caf\xC3\xA9 \xE2\x82\xAC"},
        {R"("\uD83D\uDE00" <im:alice@example.com>)", "\xF0\x9F\x98\x80"},
        {R"("a<b>c" <im:alice@example.com>)", "a<b>c"},
        {R"(""<im:alice@example.com>)", ""},
        {R"(Winnie the Pooh <im:alice@example.com>)", "Winnie the Pooh"},
        {"Zo\xC3\xAB <im:alice@example.com>", "Zo\xC3\xAB"}, // unquoted UTF-8 from deployed peers
        {R"(<im:alice@example.com>)", ""},
    };
    for (const auto& r : table) {
        INFO(r.value);
        const CPIMMessage m = parse_ok(std::string("From: ") + r.value + "\r\n\r\n\r\n");
        REQUIRE(m.from);
        CHECK(m.from->display_name == r.display_name);
        CHECK(m.from->uri == "im:alice@example.com");
        check_round_trip(m);
    }

    // Names that are not tokens are written quoted and escaped.
    CPIMMessage m;
    m.from = msrp::CPIMAddress{"Al \"the\" \\ \t\x01 pal", "im:al@example.com"};
    m.to.push_back({"Bob", "im:bob@example.com"});
    m.to.push_back({"Bob  Two", "im:bob2@example.com"});
    const std::string text = msrp::format_cpim(m);
    CHECK(text == "From: \"Al \\\"the\\\" \\\\ \\t\\u0001 pal\" <im:al@example.com>\r\n"
                  "To: Bob <im:bob@example.com>\r\n"
                  "To: \"Bob  Two\" <im:bob2@example.com>\r\n"
                  "\r\n\r\n");
    check_round_trip(m);
}

TEST_CASE("cpim: header values cannot inject lines", "[cpim]") {
    CPIMMessage m;
    m.subjects.push_back({"", "hi\r\nEvil: 1"});
    m.content_headers.push_back({"Content-Type", "text/plain\r\n\r\nX"});
    m.body = "b";
    const std::string text = msrp::format_cpim(m);
    CHECK(text == "Subject: hi  Evil: 1\r\n\r\nContent-Type: text/plain    X\r\n\r\nb");
    const CPIMMessage back = parse_ok(text);
    CHECK(back.subjects.size() == 1);
    CHECK(back.body == "b");
}

TEST_CASE("cpim: DateTime forms", "[cpim]") {
    struct row {
        const char* text;
        std::int64_t epoch_ms;
        int offset_minutes;
        int millisecond;
    };
    const row table[] = {
        {"1970-01-01T00:00:00Z", 0, 0, 0},
        {"1970-01-01t00:00:00z", 0, 0, 0},
        {"2000-12-13T13:40:00-08:00", 976743600000LL, -480, 0},
        {"2001-02-02T10:48:54-05:00", 981128934000LL, -300, 0},
        {"2024-02-29T23:59:59.999+01:00", 1709247599999LL, 60, 999},
        {"2024-05-01T10:00:00.5+05:30", 1714537800500LL, 330, 500},
        {"2024-05-01T10:00:00.123456789Z", 1714557600123LL, 0, 123},
        {"2024-05-01T10:00:00.12-00:00", 1714557600120LL, 0, 120},
        {"1969-12-31T23:59:59.001Z", -999, 0, 1},
        {"2016-12-31T23:59:60Z", 1483228800000LL, 0, 0}, // leap second
        {"0000-01-01T00:00:00Z", -62167219200000LL, 0, 0},
    };
    for (const auto& r : table) {
        INFO(r.text);
        msrp::CPIMDateTime d;
        REQUIRE_FALSE(msrp::parse_cpim_datetime(r.text, d));
        CHECK(d.text == r.text);
        CHECK(d.epoch_ms == r.epoch_ms);
        CHECK(d.offset_minutes == r.offset_minutes);
        CHECK(d.millisecond == r.millisecond);
        const CPIMMessage m = parse_ok(std::string("DateTime: ") + r.text + "\r\n\r\n\r\n");
        CHECK(m.datetime == d);
    }

    const char* bad[] = {
        "", "2000-12-13", "2000-12-13T13:40:00", "2000-12-13 13:40:00Z", "2000-13-13T13:40:00Z",
        "2000-00-13T13:40:00Z", "2001-02-29T13:40:00Z", "2000-12-32T13:40:00Z", "2000-12-13T24:00:00Z",
        "2000-12-13T13:60:00Z", "2000-12-13T13:40:61Z", "2000-12-13T13:40:00.Z", "2000-12-13T13:40:00+8:00",
        "2000-12-13T13:40:00+08:60", "2000-12-13T13:40:00+24:00", "2000-12-13T13:40:00+0800",
        "2000-12-13T13:40:00Zx", "2000-12-13T13:40:00-08:00 ", "20001-12-13T13:40:00Z", "2000-1a-13T13:40:00Z",
    };
    for (const char* b : bad) {
        INFO(b);
        msrp::CPIMDateTime d;
        CHECK(msrp::parse_cpim_datetime(b, d) == errc::bad_cpim_datetime);
    }
}

TEST_CASE("cpim: make_cpim_datetime and make_cpim_message", "[cpim]") {
    msrp::CPIMDateTime d;
    REQUIRE_FALSE(msrp::make_cpim_datetime(1714557600250LL, 120, d));
    CHECK(d.text == "2024-05-01T12:00:00.250+02:00");
    CHECK(d.hour == 12);
    CHECK(d.epoch_ms == 1714557600250LL);
    msrp::CPIMDateTime parsed;
    REQUIRE_FALSE(msrp::parse_cpim_datetime(d.text, parsed));
    CHECK(parsed == d);

    REQUIRE_FALSE(msrp::make_cpim_datetime(-1, 0, d));
    CHECK(d.text == "1969-12-31T23:59:59.999Z");
    REQUIRE_FALSE(msrp::make_cpim_datetime(0, -90, d));
    CHECK(d.text == "1969-12-31T22:30:00.000-01:30");
    REQUIRE_FALSE(msrp::parse_cpim_datetime(d.text, parsed));
    CHECK(parsed == d);

    CHECK(msrp::make_cpim_datetime(0, 1440, d) == errc::invalid_argument);
    CHECK(msrp::make_cpim_datetime(253402300800000LL, 0, d) == errc::invalid_argument);
    CHECK(msrp::make_cpim_datetime(-62167219200001LL, 0, d) == errc::invalid_argument);
    CHECK(msrp::make_cpim_datetime(INT64_MAX, 0, d) == errc::invalid_argument);
    CHECK(msrp::make_cpim_datetime(INT64_MIN, 0, d) == errc::invalid_argument);

    REQUIRE_FALSE(msrp::make_cpim_datetime(976743600000LL, -480, d));
    const CPIMMessage m = msrp::make_cpim_message({"Alice", "im:alice@example.com"}, {"", "im:bob@example.com"}, d,
                                                  "text/plain;charset=UTF-8", "hello\r\n");
    const std::string text = msrp::format_cpim(m);
    CHECK(text == "From: Alice <im:alice@example.com>\r\n"
                  "To: <im:bob@example.com>\r\n"
                  "DateTime: 2000-12-13T13:40:00.000-08:00\r\n"
                  "\r\n"
                  "Content-Type: text/plain;charset=UTF-8\r\n"
                  "\r\n"
                  "hello\r\n");
    CHECK(m.content_type() == "text/plain;charset=UTF-8");
    check_round_trip(m);
}

TEST_CASE("cpim: structure leniencies", "[cpim]") {
    // RFC 4975 §11.4 prints CPIM without the empty line before the content headers.
    const CPIMMessage m = parse_ok("To: <im:bob@example.com>\r\nFrom: <im:alice@example.com>\r\n"
                                   "DateTime: 2006-05-15T15:02:31-03:00\r\nContent-Type: text/plain\r\n\r\n"
                                   "ABCD");
    CHECK(m.to.size() == 1);
    CHECK(m.content_type() == "text/plain");
    CHECK(m.body == "ABCD");
    check_round_trip(m);

    // Folded MIME headers; case-insensitive standard names; no CPIM headers.
    const CPIMMessage f = parse_ok("from: <im:a@b>\r\nTO: <im:c@d>\r\n\r\n"
                                   "Content-Type: multipart/mixed;\r\n  boundary=x\r\n\r\nbody");
    CHECK(f.from->uri == "im:a@b");
    CHECK(f.to.size() == 1);
    CHECK(f.content_type() == "multipart/mixed;  boundary=x");
    check_round_trip(f);

    const CPIMMessage empty = parse_ok("\r\n\r\n");
    CHECK(empty == CPIMMessage{});
    CHECK(empty.content_type().empty());

    // Parameters on extension headers; Require lists; default name space.
    const CPIMMessage x = parse_ok("NS: <http://id.acme.widgets/wily-headers/>\r\n"
                                   "Require: a.b, c ,d.e\r\nRequire: f\r\n"
                                   "runner-trap:;p=1;q=\"a b;\\\"c\" set\r\n\r\n\r\n");
    CHECK(x.namespace_uri("") == "http://id.acme.widgets/wily-headers/");
    CHECK(x.require == std::vector<std::string>{"a.b", "c", "d.e", "f"});
    REQUIRE(x.headers.size() == 1);
    CHECK(x.headers[0].params == std::vector<std::string>{"p=1", "q=\"a b;\\\"c\""});
    CHECK(x.headers[0].value == "set");
    CHECK(x.headers[0].prefix().empty());
    check_round_trip(x);
}

TEST_CASE("cpim: malformed input gives its specific error", "[cpim]") {
    struct row {
        const char* text;
        errc expected;
    };
    const row table[] = {
        {"", errc::missing_cpim_separator},
        {"From: <im:a@b>\r\n", errc::missing_cpim_separator},
        {"From: <im:a@b>\r\n\r\nContent-Type: text/plain\r\n", errc::missing_cpim_separator},
        {"From: <im:a@b>\r\n\r\nContent-Type: text/plain", errc::missing_cpim_separator},
        {"From <im:a@b>\r\n\r\n\r\n", errc::bad_cpim_header},
        {"Fr om: <im:a@b>\r\n\r\n\r\n", errc::bad_cpim_header},
        {"a.b.c: x\r\n\r\n\r\n", errc::bad_cpim_header},
        {".b: x\r\n\r\n\r\n", errc::bad_cpim_header},
        {": x\r\n\r\n\r\n", errc::bad_cpim_header},
        {" From: <im:a@b>\r\n\r\n\r\n", errc::bad_cpim_header},
        {"X:x\r\n\r\n\r\n", errc::bad_cpim_header},
        {"X:;p x\r\n\r\n\r\n", errc::bad_cpim_header},
        {"X:;=1 x\r\n\r\n\r\n", errc::bad_cpim_header},
        {"X:;p= x\r\n\r\n\r\n", errc::bad_cpim_header},
        {"X:;p=\"x x\r\n\r\n\r\n", errc::bad_cpim_quoted_string},
        {"X: a\rb\r\n\r\n\r\n", errc::bad_cpim_header},
        {"X: a\x01" "b\r\n\r\n\r\n", errc::bad_cpim_header},
        {"X: \xC3\r\n\r\n\r\n", errc::bad_cpim_header},
        {"Subject:;charset=x hi\r\n\r\n\r\n", errc::bad_cpim_header},
        {"Subject:;lang=fr;lang=en hi\r\n\r\n\r\n", errc::bad_cpim_header},
        {"Subject:;lang=f_r hi\r\n\r\n\r\n", errc::bad_cpim_header},
        {"From:;p=1 <im:a@b>\r\n\r\n\r\n", errc::bad_cpim_header},
        {"Require: a,,b\r\n\r\n\r\n", errc::bad_cpim_header},
        {"Require: a.b.c\r\n\r\n\r\n", errc::bad_cpim_header},
        {"Require: \r\n\r\n\r\n", errc::bad_cpim_header},
        {"From: im:a@b\r\n\r\n\r\n", errc::bad_cpim_address},
        {"From: <im:a@b\r\n\r\n\r\n", errc::bad_cpim_address},
        {"From: <>\r\n\r\n\r\n", errc::bad_cpim_address},
        {"From: <im:a b>\r\n\r\n\r\n", errc::bad_cpim_address},
        {"From: <im:a@b> x\r\n\r\n\r\n", errc::bad_cpim_address},
        {"To: Al\"ice <im:a@b>\r\n\r\n\r\n", errc::bad_cpim_address},
        {"cc: \"Alice\" im:a@b\r\n\r\n\r\n", errc::bad_cpim_address},
        {"NS: my prefix <mid:x>\r\n\r\n\r\n", errc::bad_cpim_address},
        {"NS: p mid:x\r\n\r\n\r\n", errc::bad_cpim_address},
        {"From: \"Alice <im:a@b>\r\n\r\n\r\n", errc::bad_cpim_quoted_string},
        {"From: \"Al\\ice\" <im:a@b>\r\n\r\n\r\n", errc::bad_cpim_quoted_string},
        {"From: \"\\u12G4\" <im:a@b>\r\n\r\n\r\n", errc::bad_cpim_quoted_string},
        {"From: \"\\uD83D\" <im:a@b>\r\n\r\n\r\n", errc::bad_cpim_quoted_string},
        {"From: \"\\uDE00\" <im:a@b>\r\n\r\n\r\n", errc::bad_cpim_quoted_string},
        {"From: \"a\\\" <im:a@b>\r\n\r\n\r\n", errc::bad_cpim_quoted_string},
        {"DateTime: yesterday\r\n\r\n\r\n", errc::bad_cpim_datetime},
        {"DateTime: 2000-02-30T00:00:00Z\r\n\r\n\r\n", errc::bad_cpim_datetime},
        {"From: <im:a@b>\r\nFrom: <im:c@d>\r\n\r\n\r\n", errc::duplicate_cpim_header},
        {"DateTime: 2000-12-13T13:40:00Z\r\ndatetime: 2000-12-13T13:40:00Z\r\n\r\n\r\n",
         errc::duplicate_cpim_header},
        {"\r\n  folded: x\r\n\r\n", errc::bad_cpim_header},
        {"\r\nContent Type: x\r\n\r\n", errc::bad_cpim_header},
        {"\r\nContent-Type\r\n\r\n", errc::bad_cpim_header},
    };
    for (const auto& r : table) {
        INFO(r.text);
        CPIMMessage m;
        m.body = "unchanged";
        CHECK(msrp::parse_cpim(r.text, m) == r.expected);
        CHECK(m.body == "unchanged");
        CHECK(msrp::status_code_for(r.expected) == 0);
    }
    // NUL inside a line (the table's C strings cannot hold one).
    const std::string nul("X: a\0b\r\n\r\n\r\n", 12);
    CPIMMessage m;
    CHECK(msrp::parse_cpim(nul, m) == errc::bad_cpim_header);
}

TEST_CASE("cpim: limits", "[cpim]") {
    msrp::cpim_limits limits;
    limits.max_header_count = 3;
    limits.max_header_line_bytes = 40;
    CPIMMessage m;

    // Exactly at the limits: accepted.
    const std::string at = "From: <im:a@b>\r\nX: " + std::string(37, 'x') + "\r\n\r\nContent-Type: a/b\r\n\r\n" +
                           std::string(1000, 'b');
    CHECK_FALSE(msrp::parse_cpim(at, m, limits));
    CHECK(m.body.size() == 1000); // the body has no limit of its own: it is the caller's buffer

    CHECK(msrp::parse_cpim("X: " + std::string(38, 'x') + "\r\n\r\n\r\n", m, limits) == errc::cpim_header_too_long);
    CHECK(msrp::parse_cpim("X: " + std::string(38, 'x') + "\n\n\n", m, limits) == errc::cpim_header_too_long);
    // A line without end is judged before the missing separator.
    CHECK(msrp::parse_cpim("X: " + std::string(100, 'x'), m, limits) == errc::cpim_header_too_long);
    CHECK(msrp::parse_cpim("A: 1\r\nB: 2\r\n\r\nC: 3\r\nD: 4\r\n\r\n", m, limits) == errc::cpim_too_many_headers);
    CHECK_FALSE(msrp::parse_cpim("A: 1\r\nB: 2\r\nC: 3\r\n\r\n\r\n", m, limits));
    // Folding cannot get around the line limit.
    CHECK(msrp::parse_cpim("\r\nContent-Type: a/b;\r\n " + std::string(20, 'p') + "\r\n " + std::string(20, 'q') +
                               "\r\n\r\n",
                           m, limits) == errc::cpim_header_too_long);
    CHECK(msrp::parse_cpim("\r\nContent-Type: a/b;\r\n " + std::string(20, 'p') + "\r\n\r\n", m, limits) ==
          std::error_code{});

    // Many headers under the default limits.
    std::string many;
    for (int i = 0; i < 101; ++i)
        many += "X: 1\r\n";
    CHECK(msrp::parse_cpim(many + "\r\n\r\n", m) == errc::cpim_too_many_headers);
    CHECK(msrp::parse_cpim(std::string(8193, 'x') + "\r\n\r\n\r\n", m) == errc::cpim_header_too_long);
}

TEST_CASE("cpim: every error has a message", "[cpim]") {
    for (auto e : {errc::bad_cpim_header, errc::bad_cpim_address, errc::bad_cpim_quoted_string,
                   errc::bad_cpim_datetime, errc::duplicate_cpim_header, errc::missing_cpim_separator,
                   errc::cpim_too_many_headers, errc::cpim_header_too_long}) {
        const std::error_code ec = e;
        CHECK(ec.message().find("message/cpim") != std::string::npos);
        CHECK(msrp::status_code_for(ec) == 0);
    }
}
