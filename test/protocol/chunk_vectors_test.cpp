// Every MSRP vector of ../shared/vectors, in one piece, split at every
// offset and one byte at a time: the same chunks and the same error each way.

#include "../support/vectors.hpp"

#include <msrp/protocol/chunk_reader.hpp>
#include <msrp/protocol/error.hpp>

#include <catch2/catch.hpp>

#include <map>
#include <optional>

using msrp::errc;
using nlohmann::json;
namespace t = msrp::test;

namespace {

bool is_msrp_kind(const json& e) {
    const auto kind = e.at("kind").get<std::string>();
    return kind == "request" || kind == "response" || kind == "report" || kind == "auth";
}

// The vectors' error names (verify.py) and the code this parser gives.
errc expected_code(const std::string& name) {
    static const std::map<std::string, errc> table = {
        {"bare-lf", errc::bare_lf},
        {"bare-cr", errc::bare_cr},
        {"nul-byte", errc::nul_byte},
        {"bad-start-line", errc::bad_start_line},
        {"bad-transaction-id", errc::bad_transaction_id},
        {"bad-method", errc::bad_method},
        {"bad-status-code", errc::bad_status_code},
        {"bad-header-line", errc::bad_header_line},
        {"header-line-too-long", errc::line_too_long},
        {"missing-to-path", errc::missing_to_path},
        {"missing-from-path", errc::missing_from_path},
        {"header-order", errc::header_order},
        {"duplicate-header", errc::duplicate_header},
        {"bad-uri", errc::bad_uri},
        {"unsupported-transport", errc::unsupported_transport},
        {"bad-byte-range", errc::bad_byte_range},
        {"bad-message-id", errc::bad_message_id},
        {"bad-header-value", errc::bad_header_value},
        {"bad-status-header", errc::bad_status_header},
        {"missing-content-type", errc::missing_content_type},
        {"content-type-not-last", errc::content_type_not_last},
        {"content-type-without-body", errc::content_type_without_body},
        {"response-with-body", errc::response_with_body},
        {"missing-message-id", errc::missing_message_id},
        {"missing-status", errc::missing_status},
        {"report-with-report-header", errc::report_with_report_header},
        {"body-too-large", errc::body_too_large},
        {"end-line-mismatch", errc::end_line_mismatch},
        {"missing-end-line", errc::truncated},
        {"bad-continuation-flag", errc::bad_continuation_flag},
        // A stream parser ends the chunk at the body's copy of its own
        // end-line; what follows must be a next chunk and is not.
        {"trailing-data", errc::bad_start_line},
    };
    return table.at(name);
}

std::string first_header(const msrp::Chunk& c, const std::string& name) {
    const auto* v = c.find_header(name);
    return v ? *v : std::string("<absent>");
}

std::vector<std::string> uri_strings(const std::optional<msrp::Path>& p) {
    std::vector<std::string> out;
    if (p)
        for (const auto& u : *p)
            out.push_back(u.to_string());
    return out;
}

// The fields the index records for a chunk, checked on the parsed chunk.
void check_chunk(const json& e, const msrp::Chunk& c) {
    CHECK(c.transaction_id == e.at("transaction_id").get<std::string>());
    if (e.at("method").is_null()) {
        CHECK(c.is_response());
        CHECK(c.code == e.at("status").get<int>());
        const auto& comment = e.at("comment");
        CHECK(c.comment == (comment.is_null() ? std::string() : comment.get<std::string>()));
    } else {
        CHECK(c.method == e.at("method").get<std::string>());
    }
    CHECK(std::string(1, c.contflag) == e.at("continuation_flag").get<std::string>());
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& h : c.headers)
        headers.emplace_back(h.name, h.value);
    CHECK(headers == e.at("headers").get<std::vector<std::pair<std::string, std::string>>>());
    for (const auto& [name, value] : e.at("key_headers").items())
        CHECK(first_header(c, name) == value.get<std::string>());
    CHECK(c.has_body == e.at("has_body").get<bool>());
    CHECK(c.data.size() == e.at("body_length").get<std::size_t>());
    if (e.contains("body_sha256") && !e.at("body_sha256").is_null())
        CHECK(t::sha256_hex(c.data) == e.at("body_sha256").get<std::string>());
    if (e.contains("to_path")) {
        CHECK(uri_strings(c.to_path()) == e.at("to_path").get<std::vector<std::string>>());
        CHECK(uri_strings(c.from_path()) == e.at("from_path").get<std::vector<std::string>>());
    }
    if (e.contains("use_path") && !e.at("use_path").is_null())
        CHECK(uri_strings(c.use_path()) == e.at("use_path").get<std::vector<std::string>>());
    const auto br = c.byte_range();
    if (e.contains("byte_range") && !e.at("byte_range").is_null()) {
        REQUIRE(br);
        const auto& r = e.at("byte_range");
        const auto field = [](const json& v) {
            return v.is_null() ? msrp::ByteRange::unknown : v.get<std::uint64_t>();
        };
        CHECK(br->start == r.at("start").get<std::uint64_t>());
        CHECK(br->end == field(r.at("end")));
        CHECK(br->total == field(r.at("total")));
    } else {
        CHECK_FALSE(br);
    }
    if (e.contains("status_header") && !e.at("status_header").is_null()) {
        const auto s = c.status();
        REQUIRE(s);
        const auto& x = e.at("status_header");
        CHECK(s->ns == std::stoi(x.at("namespace").get<std::string>()));
        CHECK(s->code == x.at("code").get<int>());
        CHECK(s->comment == (x.at("comment").is_null() ? std::string() : x.at("comment").get<std::string>()));
    }
}

// The same transcript for one piece, every two-piece split and bytewise.
t::transcript parse_every_way(const std::string& bytes) {
    const auto whole = t::feed_whole(bytes);
    for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
        const auto split = t::feed_pieces(bytes, {cut});
        if (!(split == whole)) {
            INFO("split at offset " << cut << ": " << split.ec.message() << " vs " << whole.ec.message());
            CHECK(split == whole);
            break;
        }
    }
    const auto bytewise = t::feed_bytewise(bytes);
    CHECK(bytewise == whole);
    // The parser never makes its caller keep more than a head or a
    // possible end-line.
    const auto blank = bytes.find("\r\n\r\n");
    const auto head_len = blank == std::string::npos ? bytes.size() : blank + 4;
    CHECK(bytewise.max_pending <= std::max<std::size_t>(head_len, 9 + 32 + 3));
    return whole;
}

void check_valid_entry(const std::string& dir, const json& e) {
    const auto file = e.at("file").get<std::string>();
    SECTION(file) {
        const auto bytes = t::read_file(dir + "/" + file);
        REQUIRE(t::sha256_hex(bytes) == e.at("sha256").get<std::string>());
        const auto result = parse_every_way(bytes);
        if (e.contains("strict_parse_error") && !e.at("strict_parse_error").is_null()) {
            // RFC fragments printed without the headers a chunk must have.
            CHECK(result.ec == expected_code(e.at("strict_parse_error").get<std::string>()));
            return;
        }
        INFO(result.ec.message());
        REQUIRE_FALSE(result.ec);
        REQUIRE(result.chunks.size() == 1);
        check_chunk(e, result.chunks[0]);
        msrp::Chunk single;
        CHECK_FALSE(msrp::parse_chunk(bytes, single));
        CHECK(single == result.chunks[0]);
    }
}

} // namespace

TEST_CASE("RFC vectors parse to the recorded fields at every split", "[vectors]") {
    const auto dir = t::vectors_dir();
    const auto index = t::load_index("INDEX.json");
    std::size_t count = 0;
    for (const auto& e : index) {
        if (!is_msrp_kind(e))
            continue;
        ++count;
        check_valid_entry(dir, e);
    }
    CHECK(count == 47);
}

TEST_CASE("valid-edge vectors parse to the recorded fields at every split", "[vectors]") {
    const auto dir = t::vectors_dir() + "/valid-edge";
    const auto index = t::load_index("valid-edge/INDEX.json");
    std::size_t count = 0;
    for (const auto& e : index) {
        if (e.at("kind") == "sdp")
            continue;
        ++count;
        check_valid_entry(dir, e);
    }
    CHECK(count == 23);
}

TEST_CASE("invalid vectors are rejected with the named error at every split", "[vectors]") {
    const auto dir = t::vectors_dir() + "/invalid";
    const auto index = t::load_index("invalid/INDEX.json");
    CHECK(index.size() == 52);
    for (const auto& e : index) {
        const auto file = e.at("file").get<std::string>();
        SECTION(file) {
            const auto bytes = t::read_file(dir + "/" + file);
            REQUIRE(t::sha256_hex(bytes) == e.at("sha256").get<std::string>());
            const auto expected = expected_code(e.at("expected_error").get<std::string>());
            INFO("expected " << msrp::make_error_code(expected).message());
            const auto result = parse_every_way(bytes);
            CHECK(result.ec == expected);
            msrp::Chunk single;
            const auto ec = msrp::parse_chunk(bytes, single);
            CHECK(ec);
            // parse_chunk sees one chunk and names leftovers as such.
            CHECK(ec == (expected == errc::bad_start_line && e.at("expected_error") == "trailing-data"
                             ? errc::trailing_data
                             : expected));
        }
    }
}
