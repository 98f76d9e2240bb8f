// Responses and REPORTs (RFC 4975 §7.1-§7.3): Failure-Report and
// Success-Report, who gets a response, the local timeout status, and
// building a REPORT for a received SEND.

#include <msrp/protocol/byte_range.hpp>
#include <msrp/protocol/chunk.hpp>
#include <msrp/protocol/chunk_reader.hpp>
#include <msrp/protocol/chunk_serializer.hpp>
#include <msrp/protocol/path.hpp>
#include <msrp/protocol/random_ident.hpp>
#include <msrp/protocol/report_rules.hpp>
#include <msrp/protocol/uri.hpp>

#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <system_error>

using msrp::Chunk;
using msrp::failure_report;

namespace {

constexpr const char* bob_uri = "msrp://bob.example.com:8888/9di4eae923wzd;tcp";
// The SEND came from Alice through a relay: its From-Path names the relay
// first and Alice last (RFC 4976 §7.1).
constexpr const char* relayed_from_path =
    "msrp://relay.example.net:2855/kjhd37s2s20w2a;tcp msrp://alicepc.example.com:7777/iau39soe2843z;tcp";

Chunk request(const char* method, std::optional<const char*> failure = std::nullopt,
              std::optional<const char*> success = std::nullopt) {
    Chunk c;
    c.transaction_id = "a786hjs2";
    c.method = method;
    c.headers = {{"To-Path", bob_uri}, {"From-Path", relayed_from_path}, {"Message-ID", "87652491"}};
    if (failure)
        c.add_header("Failure-Report", *failure);
    if (success)
        c.add_header("Success-Report", *success);
    return c;
}

Chunk send_chunk(std::optional<const char*> failure = std::nullopt, std::optional<const char*> success = std::nullopt) {
    Chunk c = request("SEND", failure, success);
    c.add_header("Byte-Range", "1-23/23");
    c.set_content_type("text/plain");
    c.data = "Hey Bob, are you there?";
    return c;
}

const char* name(failure_report f) {
    switch (f) {
    case failure_report::yes: return "yes";
    case failure_report::no: return "no";
    case failure_report::partial: return "partial";
    }
    return "?";
}

} // namespace

TEST_CASE("report_rules: failure_report_of", "[report_rules]") {
    struct row {
        std::optional<const char*> value;
        failure_report expected;
    };
    const row table[] = {
        {std::nullopt, failure_report::yes}, // RFC 4975 §7.1.1 default
        {"yes", failure_report::yes},
        {"YES", failure_report::yes},
        {"no", failure_report::no},
        {"No", failure_report::no},
        {"NO", failure_report::no},
        {"partial", failure_report::partial},
        {"Partial", failure_report::partial},
        {"PARTIAL", failure_report::partial},
        {" no ", failure_report::no},
        {"maybe", failure_report::yes}, // unknown: as if absent
        {"", failure_report::yes},
        {"non", failure_report::yes},
        {"partially", failure_report::yes},
    };
    for (const auto& r : table) {
        INFO("Failure-Report: " << (r.value ? *r.value : "(absent)"));
        CHECK(name(msrp::failure_report_of(request("SEND", r.value))) == std::string(name(r.expected)));
        if (r.value) // the value alone, as a message's fields are read before it has chunks
            CHECK(name(msrp::failure_report_value(*r.value)) == std::string(name(r.expected)));
    }
    // Header names are case-insensitive.
    Chunk c = request("SEND");
    c.add_header("failure-report", "no");
    CHECK(msrp::failure_report_of(c) == failure_report::no);
}

TEST_CASE("report_rules: success_report_wanted", "[report_rules]") {
    struct row {
        std::optional<const char*> value;
        bool wanted;
    };
    const row table[] = {
        {std::nullopt, false}, {"yes", true}, {"Yes", true}, {"YES", true}, {"no", false},
        {"No", false},         {"", false},   {"yess", false}, {"partial", false},
    };
    for (const auto& r : table) {
        INFO("Success-Report: " << (r.value ? *r.value : "(absent)"));
        CHECK(msrp::success_report_wanted(send_chunk(std::nullopt, r.value)) == r.wanted);
        if (r.value)
            CHECK(msrp::success_report_value(*r.value) == r.wanted);
    }
    // Independent of Failure-Report.
    CHECK(msrp::success_report_wanted(send_chunk("no", "yes")));
    CHECK_FALSE(msrp::success_report_wanted(send_chunk("yes", "no")));
}

TEST_CASE("report_rules: response_wanted", "[report_rules]") {
    struct row {
        const char* method;
        std::optional<const char*> failure;
        int code;
        bool wanted;
    };
    const row table[] = {
        // SEND: the Failure-Report decides (RFC 4975 §7.2).
        {"SEND", std::nullopt, 200, true},
        {"SEND", std::nullopt, 415, true},
        {"SEND", "yes", 200, true},
        {"SEND", "yes", 481, true},
        {"SEND", "YES", 200, true},
        {"SEND", "partial", 200, false},
        {"SEND", "partial", 299, false},
        {"SEND", "partial", 400, true},
        {"SEND", "partial", 408, true},
        {"SEND", "partial", 413, true},
        {"SEND", "partial", 415, true},
        {"SEND", "partial", 481, true},
        {"SEND", "partial", 199, true}, // not 2xx
        {"SEND", "partial", 300, true},
        {"SEND", "Partial", 403, true},
        {"SEND", "no", 200, false},
        {"SEND", "no", 400, false},
        {"SEND", "no", 481, false},
        {"SEND", "NO", 415, false},
        {"SEND", "bogus", 200, true},   // unknown value counts as yes
        // REPORT: never (RFC 4975 §7.2), whatever it carries.
        {"REPORT", std::nullopt, 200, false},
        {"REPORT", std::nullopt, 400, false},
        {"REPORT", std::nullopt, 481, false},
        {"REPORT", std::nullopt, 501, false},
        {"REPORT", "yes", 400, false},
        // Other methods follow Failure-Report like SEND.
        {"AUTH", std::nullopt, 200, true},
        {"AUTH", std::nullopt, 401, true},
        {"AUTH", "partial", 200, false},
        {"AUTH", "partial", 401, true},
        {"NICKNAME", std::nullopt, 501, true},
        {"FOO", std::nullopt, 501, true},
        {"FOO", "yes", 501, true},
        {"FOO", "partial", 501, true},
        {"FOO", "no", 501, false},
        // Methods are case-sensitive: "report" is an unknown method.
        {"report", std::nullopt, 501, true},
    };
    for (const auto& r : table) {
        INFO(r.method << " with Failure-Report " << (r.failure ? *r.failure : "(absent)") << ", status " << r.code);
        CHECK(msrp::response_wanted(request(r.method, r.failure), r.code) == r.wanted);
    }

    // Responses are never answered.
    Chunk response;
    response.transaction_id = "a786hjs2";
    response.code = 200;
    response.comment = "OK";
    CHECK_FALSE(msrp::response_wanted(response, 200));
    CHECK_FALSE(msrp::response_wanted(response, 400));
}

TEST_CASE("report_rules: local_timeout_code", "[report_rules]") {
    struct row {
        const char* method;
        std::optional<const char*> failure;
        int code;
    };
    const row table[] = {
        {"SEND", std::nullopt, 408}, {"SEND", "yes", 408},     {"SEND", "Yes", 408},     {"SEND", "bogus", 408},
        {"SEND", "partial", 200},    {"SEND", "PARTIAL", 200}, {"SEND", "no", 200},      {"SEND", "No", 200},
        {"AUTH", std::nullopt, 408}, {"FOO", "no", 200},
    };
    for (const auto& r : table) {
        INFO(r.method << " with Failure-Report " << (r.failure ? *r.failure : "(absent)"));
        CHECK(msrp::local_timeout_code(request(r.method, r.failure)) == r.code);
    }
}

TEST_CASE("report_rules: make_report builds a REPORT that round-trips", "[report_rules]") {
    const auto local = msrp::URI::parse(bob_uri);
    const Chunk send = send_chunk(std::nullopt, "yes");

    struct row {
        const char* what;
        int code;
        std::string comment;
        msrp::ByteRange range;
        const char* status;
    };
    const row table[] = {
        {"success, default comment", 200, "", {1, 23, 23}, "000 200 OK"},
        {"failure, default comment", 415, "", {1, 23, 23}, "000 415 Unsupported Media Type"},
        {"failure, own comment", 413, "Too big for me", {1, 10, 23}, "000 413 Too big for me"},
        {"timeout", 408, "", {11, 23, 23}, "000 408 Request Timeout"},
        {"code without a reason phrase", 299, "", {1, 23, 23}, "000 299"},
        {"unknown end and total", 200, "", {1, msrp::ByteRange::unknown, msrp::ByteRange::unknown}, "000 200 OK"},
    };
    for (const auto& r : table) {
        INFO(r.what);
        const Chunk report = msrp::make_report(send, local, r.code, r.comment, r.range);

        CHECK(report.method == "REPORT");
        CHECK(report.is_request());
        CHECK(report.contflag == '$');
        CHECK_FALSE(report.has_body);
        CHECK(report.data.empty());
        CHECK(report.transaction_id.size() == msrp::random_ident_length);
        CHECK(report.transaction_id != send.transaction_id);
        CHECK(report.header("To-Path") == std::string(relayed_from_path));
        CHECK(report.header("From-Path") == std::string(bob_uri));
        CHECK(report.message_id() == std::string("87652491"));
        CHECK(report.byte_range() == r.range);
        CHECK(report.header("Status") == std::string(r.status));
        CHECK_FALSE(report.find_header("Success-Report"));
        CHECK_FALSE(report.find_header("Failure-Report"));
        CHECK_FALSE(report.content_type());
        // To-Path and From-Path first (RFC 4975 §9).
        REQUIRE(report.headers.size() == 5);
        CHECK(report.headers[0].name == "To-Path");
        CHECK(report.headers[1].name == "From-Path");
        // A REPORT gets no response (RFC 4975 §7.2).
        CHECK_FALSE(msrp::response_wanted(report, 200));

        msrp::serialized_chunk out;
        REQUIRE(msrp::serialize(report, out) == std::error_code{});
        CHECK(out.body.empty());
        const std::string wire = out.to_string();
        INFO("wire: " << wire);
        CHECK(wire.rfind("MSRP " + report.transaction_id + " REPORT\r\n", 0) == 0);
        CHECK(wire.find("\r\nStatus: " + std::string(r.status) + "\r\n") != std::string::npos);

        Chunk back;
        REQUIRE(msrp::parse_chunk(wire, back) == std::error_code{});
        CHECK(back == report);
        CHECK(back.method == "REPORT");
        CHECK(back.transaction_id == report.transaction_id);
        REQUIRE(back.to_path());
        REQUIRE(back.to_path()->size() == 2);
        CHECK(msrp::paths_equivalent(*back.to_path(), *send.from_path()));
        REQUIRE(back.from_path());
        CHECK(*back.from_path() == msrp::Path{local});
        CHECK(back.message_id() == send.message_id());
        CHECK(back.byte_range() == r.range);
        REQUIRE(back.status());
        CHECK(back.status()->ns == 0);
        CHECK(back.status()->code == r.code);
        CHECK_FALSE(back.has_body);
    }
}

TEST_CASE("report_rules: make_report uses a fresh transaction id each time", "[report_rules]") {
    const auto local = msrp::URI::parse(bob_uri);
    const Chunk send = send_chunk();
    const auto a = msrp::make_report(send, local, 200, "", {1, 23, 23});
    const auto b = msrp::make_report(send, local, 200, "", {1, 23, 23});
    CHECK(a.transaction_id != b.transaction_id);
    CHECK(a.message_id() == b.message_id());
}

TEST_CASE("report_rules: make_report for a SEND read from the wire", "[report_rules]") {
    // The RFC 4975 §7.1 SEND with Success-Report: yes, as a receiver reads it.
    const std::string wire = "MSRP a786hjs2 SEND\r\n"
                             "To-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
                             "From-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
                             "Message-ID: 87652491\r\n"
                             "Success-Report: yes\r\n"
                             "Failure-Report: partial\r\n"
                             "Byte-Range: 1-23/23\r\n"
                             "Content-Type: text/plain\r\n"
                             "\r\n"
                             "Hey Bob, are you there?\r\n"
                             "-------a786hjs2$\r\n";
    Chunk send;
    REQUIRE(msrp::parse_chunk(wire, send) == std::error_code{});
    CHECK(msrp::success_report_wanted(send));
    CHECK(msrp::failure_report_of(send) == failure_report::partial);
    CHECK_FALSE(msrp::response_wanted(send, 200));
    CHECK(msrp::response_wanted(send, 415));
    CHECK(msrp::local_timeout_code(send) == 200);

    const auto report = msrp::make_report(send, msrp::URI::parse(bob_uri), 200, "", *send.byte_range());
    const auto report_wire = msrp::to_wire(report);
    CHECK(report_wire == "MSRP " + report.transaction_id + " REPORT\r\n" +
                             "To-Path: msrp://alicepc.example.com:7777/iau39soe2843z;tcp\r\n"
                             "From-Path: msrp://bob.example.com:8888/9di4eae923wzd;tcp\r\n"
                             "Message-ID: 87652491\r\n"
                             "Byte-Range: 1-23/23\r\n"
                             "Status: 000 200 OK\r\n"
                             "-------" +
                             report.transaction_id + "$\r\n");
    Chunk back;
    REQUIRE(msrp::parse_chunk(report_wire, back) == std::error_code{});
    CHECK(back == report);
}
