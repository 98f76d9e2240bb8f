// Byte-Range values (RFC 4975 §7.1.1, §8.1, §9): `range-start "-" range-end "/" total`.

#include <msrp/protocol/byte_range.hpp>
#include <msrp/protocol/error.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <system_error>

using msrp::ByteRange;
using msrp::errc;

namespace {

constexpr auto star = ByteRange::unknown;

} // namespace

TEST_CASE("byte-range: valid values parse", "[byte_range]") {
    struct row {
        const char* text;
        std::uint64_t start, end, total;
    };
    const row table[] = {
        {"1-25/25", 1, 25, 25},
        {"1-*/*", 1, star, star},
        {"2049-*/8192", 2049, star, 8192},
        {"1-0/0", 1, 0, 0},      // empty message
        {"1-2048/*", 1, 2048, star},
        {"1-*/8192", 1, star, 8192},
        {"2049-4096/8192", 2049, 4096, 8192},
        {"8193-8192/8192", 8193, 8192, 8192}, // empty chunk at the very end
        {"5-4/*", 5, 4, star},                // empty chunk, total unknown
        {"8192-8192/8192", 8192, 8192, 8192},
        {"9-*/8", 9, star, 8},                // start = total + 1
        {"0001-0025/0025", 1, 25, 25},        // 1*DIGIT allows leading zeros
        {"1-9999999999999999999/*", 1, 9999999999999999999ull, star}, // 19 digits
        {"123456789012-123456789012/123456789012", 123456789012ull, 123456789012ull, 123456789012ull},
    };
    for (const auto& r : table) {
        INFO("Byte-Range: " << r.text);
        ByteRange b{7, 7, 7};
        REQUIRE(ByteRange::parse(r.text, b) == std::error_code{});
        CHECK(b.start == r.start);
        CHECK(b.end == r.end);
        CHECK(b.total == r.total);
    }
}

TEST_CASE("byte-range: malformed or inconsistent values are rejected", "[byte_range]") {
    const char* const table[] = {
        "",
        "1-",
        "1",
        "1-2",
        "1/2",
        "1-2/",
        "-2/3",
        "1-/3",
        "a-b/c",
        "1-b/3",
        "1-2/c",
        "*-2/3",
        "*",
        "*-*/*",
        "1-**/*",
        "10-5/20",  // end < start - 1
        "3-1/20",
        "0-13/14",  // octets are numbered from 1
        "0-*/*",
        "1-14/10",  // end > total
        "1-1/0",
        "20-*/10",  // start > total + 1
        "12-10/10",
        "1-2/3/4",
        "1-2-3/4",
        "-1-2/3",
        "+1-2/3",
        "1-+2/3",
        "1-2/+3",
        "1234567890123456789012345-*/*",  // 25 digits: overflow
        "1-1234567890123456789012345/*",
        "1-*/1234567890123456789012345",
        "1-*/18446744073709551616",       // 2^64
        "1-*/18446744073709551615",       // 2^64 - 1 would alias `unknown`
        " 1-2/3",
        "1-2/3 ",
        "1 -2/3",
        "1- 2/3",
        "1-2 /3",
        "1-2/ 3",
        "1-2/3\r\n",
        "1\t-2/3",
        "1-2\\3",
        "1_2/3",
        "1-2/3;x",
    };
    for (const char* text : table) {
        INFO("Byte-Range: '" << text << "'");
        ByteRange b{7, 8, 9};
        const auto ec = ByteRange::parse(text, b);
        CHECK(ec == errc::bad_byte_range);
        CHECK(ec.category().name() == std::string("msrp"));
    }
}

TEST_CASE("byte-range: to_string", "[byte_range]") {
    CHECK(ByteRange{}.to_string() == "1-*/*");
    CHECK(ByteRange{1, 25, 25}.to_string() == "1-25/25");
    CHECK(ByteRange{2049, star, 8192}.to_string() == "2049-*/8192");
    CHECK(ByteRange{1, 2048, star}.to_string() == "1-2048/*");
    CHECK(ByteRange{1, 0, 0}.to_string() == "1-0/0");
    CHECK(ByteRange{12345678901234ull, 12345678901235ull, 99999999999999ull}.to_string() ==
          "12345678901234-12345678901235/99999999999999");
    std::string out = "Byte-Range: ";
    ByteRange{3, 4, star}.append_to(out);
    CHECK(out == "Byte-Range: 3-4/*");
}

TEST_CASE("byte-range: to_string and parse round trip", "[byte_range]") {
    const char* const table[] = {
        "1-25/25", "1-*/*", "2049-*/8192", "1-0/0", "1-2048/*", "8193-8192/8192", "1-9999999999999999999/*",
    };
    for (const char* text : table) {
        INFO(text);
        ByteRange b;
        REQUIRE_FALSE(ByteRange::parse(text, b));
        CHECK(b.to_string() == text);
        ByteRange again{9, 9, 9};
        REQUIRE_FALSE(ByteRange::parse(b.to_string(), again));
        CHECK(again == b);
    }
    // Leading zeros are not kept.
    ByteRange z;
    REQUIRE_FALSE(ByteRange::parse("001-002/003", z));
    CHECK(z.to_string() == "1-2/3");
}

TEST_CASE("byte-range: equality", "[byte_range]") {
    CHECK(ByteRange{1, 2, 3} == ByteRange{1, 2, 3});
    CHECK_FALSE(ByteRange{1, 2, 3} == ByteRange{1, 2, 4});
    CHECK_FALSE(ByteRange{1, star, 3} == ByteRange{1, 3, 3});
    CHECK(ByteRange{}.start == 1);
    CHECK(ByteRange{}.end == star);
    CHECK(ByteRange{}.total == star);
}
